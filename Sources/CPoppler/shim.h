#ifndef TRIAGE_CPOPPLER_SHIM_H
#define TRIAGE_CPOPPLER_SHIM_H

/* poppler's GLib interface: open a PDF held in memory, count its pages,
   read each page's text layer. Only AttachmentText imports this module. */
#include <poppler.h>
#include <glib.h>

/// Frees a GLib string (g_free is a macro-free function, but wrapping keeps
/// the Swift side to one small door).
static inline void triage_g_free(void *pointer) {
    g_free(pointer);
}

/// Drops a reference to a GObject (a document or a page).
static inline void triage_g_object_unref(void *object) {
    g_object_unref(object);
}

/// Silences GLib's and poppler's warnings on stderr for malformed PDFs; the
/// reader reports problems itself.
static void triage_poppler_ignore_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}
static inline void triage_poppler_silence(void) {
    g_log_set_default_handler(triage_poppler_ignore_log, NULL);
}

#endif
