#ifndef TRIAGE_CLIBXML2_SHIM_H
#define TRIAGE_CLIBXML2_SHIM_H

/* libxml2 is built with ICU; its headers would pull in the system ICU's
   headers, which clash with the copy of ICU inside Foundation when a Swift
   file imports both. The project never touches the ICU members of
   libxml2's structures, so leave them out of the import. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>

/// libxml2's xmlFree is a global function pointer, which Swift 6 strict
/// concurrency rejects; call it through this function instead.
static inline void triage_xmlFree(void *pointer) {
    xmlFree(pointer);
}

/// Silences libxml2's default error printing to stderr for this thread;
/// parsers collect errors themselves.
static void triage_xml_ignore_error(void *ctx, const char *msg, ...) {
    (void)ctx; (void)msg;
}
static inline void triage_xml_silence_errors(void) {
    xmlSetGenericErrorFunc(NULL, triage_xml_ignore_error);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

#endif
