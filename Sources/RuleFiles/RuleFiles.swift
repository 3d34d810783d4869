// Module RuleFiles
