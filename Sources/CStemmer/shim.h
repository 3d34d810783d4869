// The Snowball stemmer library (Debian: libstemmer-dev).
#include <libstemmer.h>
