// Module TriageIngest
