// Module TriageStore
