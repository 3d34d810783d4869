#ifndef TRIAGE_CLIBCURL_SHIM_H
#define TRIAGE_CLIBCURL_SHIM_H
#include <curl/curl.h>
#endif
