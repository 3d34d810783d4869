import ArgumentParser
import TriageCore

// The decision contract's words as option values: ArgumentParser reads the
// word, refuses any other with the words allowed, and lists them in --help.
extension ItemKind: ExpressibleByArgument {}
extension SubjectRole: ExpressibleByArgument {}
extension Outcome: ExpressibleByArgument {}
extension NotRecordedReason: ExpressibleByArgument {}
extension DecisionFlag: ExpressibleByArgument {}
