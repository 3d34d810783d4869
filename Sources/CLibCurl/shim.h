#ifndef TRIAGE_CLIBCURL_SHIM_H
#define TRIAGE_CLIBCURL_SHIM_H
/*
 * libcurl for Swift. curl_easy_setopt and curl_easy_getinfo are variadic C
 * functions, which Swift cannot call; these typed static inline wrappers can
 * be. Only the argument types MailboxAccess needs are here. Each returns the
 * CURLcode of the call it wraps.
 */
#include <curl/curl.h>

/** Signature of CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION / CURLOPT_READFUNCTION. */
typedef size_t (*triage_curl_data_callback)(char *buffer, size_t size, size_t nitems, void *userdata);

/** curl_global_init(CURL_GLOBAL_DEFAULT): call once, before any other thread uses libcurl. */
static inline CURLcode triage_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/** Sets an option that takes a long (CURLOPT_VERBOSE, CURLOPT_PORT, timeouts, flags). */
static inline CURLcode triage_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/** Sets an option that takes a curl_off_t (CURLOPT_INFILESIZE_LARGE). */
static inline CURLcode triage_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/** Sets an option that takes a C string; libcurl copies it (CURLOPT_URL, CURLOPT_PASSWORD, ...). NULL clears it. */
static inline CURLcode triage_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/** Sets an option that takes a data pointer (CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_READDATA, CURLOPT_ERRORBUFFER). */
static inline CURLcode triage_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/** Sets CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION or CURLOPT_READFUNCTION. */
static inline CURLcode triage_curl_setopt_callback(CURL *handle, CURLoption option, triage_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

/** Reads an information item that is a long (CURLINFO_RESPONSE_CODE, ...). */
static inline CURLcode triage_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
