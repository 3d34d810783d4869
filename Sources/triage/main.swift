import ArgumentParser
import TriageCore
import TriageIngest
import RuleFiles

print("triage")
