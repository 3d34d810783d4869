// Module FormParsing
