/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* static_files: the in-memory cache of the UI's files (see static_files.h).
 *
 * Service thread only; no lock. Invariants: every cached entry was read through a path
 * whose realpath lay inside the root's realpath when it was read; an entry is keyed by
 * its sanitized relative path and is dropped as soon as a re-read of it fails, so a
 * refused file is never served from a stale entry. */
#include "http/static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

#define STATIC_FILES_MAX_SIZE        (8u * 1024u * 1024u)
#define STATIC_FILES_INITIAL_BUCKETS 64u
#define STATIC_FILES_CC_IMMUTABLE    "public, max-age=31536000, immutable"
#define STATIC_FILES_CC_NO_CACHE     "no-cache"

struct static_entry {
    char *rel;           /* owned; sanitized relative path (the key) */
    unsigned char *data; /* owned; the file's bytes */
    size_t len;
    unsigned char *gz; /* owned; gzip copy, NULL when not smaller */
    size_t gz_len;
    char etag[2 + 32 + 1];     /* "\"" + 32 hex + "\"" */
    const char *content_type;  /* borrowed (static table) */
    const char *cache_control; /* borrowed (string constant) */
    dev_t dev;                 /* identity and version of what was read */
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct static_entry *next; /* owned; bucket chain */
};

struct static_files {
    char *root; /* owned; realpath of the web root */
    size_t root_len;
    struct static_entry **buckets; /* owned */
    size_t nbuckets;
    size_t count;
};

struct static_type {
    const char *ext;
    const char *type;
    bool compressible;
};

static const struct static_type static_types[] = {
    {"html", "text/html; charset=utf-8", true},
    {"htm", "text/html; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"css", "text/css; charset=utf-8", true},
    {"json", "application/json", true},
    {"map", "application/json", true},
    {"webmanifest", "application/manifest+json", true},
    {"svg", "image/svg+xml", true},
    {"txt", "text/plain; charset=utf-8", true},
    {"wasm", "application/wasm", true},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},
    {"webp", "image/webp", false},
    {"ico", "image/x-icon", true},
    {"woff2", "font/woff2", false},
    {"woff", "font/woff", false},
};

static const char *static_files_basename(const char *name)
{
    const char *slash = strrchr(name, '/');

    return slash ? slash + 1 : name;
}

static const struct static_type *static_files_find_type(const char *name)
{
    const char *base = static_files_basename(name);
    const char *dot = strrchr(base, '.');

    if (!dot || dot == base)
        return NULL;
    for (size_t i = 0; i < sizeof(static_types) / sizeof(static_types[0]); i++)
        if (strcasecmp(dot + 1, static_types[i].ext) == 0)
            return &static_types[i];
    return NULL;
}

const char *static_files_content_type(const char *name)
{
    const struct static_type *t = name ? static_files_find_type(name) : NULL;

    return t ? t->type : "application/octet-stream";
}

bool static_files_is_fingerprinted(const char *name)
{
    const char *base;
    const char *last;
    const char *prev;
    size_t hex_len;

    if (!name)
        return false;
    base = static_files_basename(name);
    last = strrchr(base, '.');
    if (!last || last[1] == '\0' || last == base)
        return false;
    prev = last - 1;
    while (prev > base && *prev != '.')
        prev--;
    /* Needs a non-empty name before the hash: "name.<hex>.ext". */
    if (*prev != '.' || prev == base)
        return false;
    hex_len = (size_t)(last - prev - 1);
    if (hex_len < 8)
        return false;
    for (const char *p = prev + 1; p < last; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* Checks one decoded segment [seg, seg+len): not empty, not "." or "..", not hidden. */
static int static_files_check_segment(const char *seg, size_t len)
{
    /* Empty ("//") and dot-leading segments (".", "..", ".git", ".env") are refused:
     * the UI has no hidden files and a web root must never leak them. */
    if (len == 0 || seg[0] == '.')
        return -1;
    return 0;
}

int static_files_sanitize(const char *url_path, char *out, size_t outlen)
{
    int ret = -1;
    size_t o = 0;
    size_t seg_start = 0;
    const char *p;
    static const char index_name[] = "index.html";

    if (!url_path || !out || outlen == 0 || url_path[0] != '/')
        goto cleanup;
    for (p = url_path + 1; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '/') {
            /* A literal '/' ends a segment. */
            if (static_files_check_segment(out + seg_start, o - seg_start) < 0)
                goto cleanup;
            if (o + 1 >= outlen)
                goto cleanup;
            out[o++] = '/';
            seg_start = o;
            continue;
        }
        if (c == '%') {
            int hi = hex_digit_value(p[1]);
            int lo = hi < 0 ? -1 : hex_digit_value(p[2]);

            if (hi < 0 || lo < 0)
                goto cleanup;
            c = (unsigned char)(hi * 16 + lo);
            p += 2;
            /* A decoded separator would let a segment smuggle a path. */
            if (c == '/')
                goto cleanup;
        }
        if (c == '\\' || c < 0x20 || c == 0x7f)
            goto cleanup;
        if (o + 1 >= outlen)
            goto cleanup;
        out[o++] = (char)c;
    }
    if (o == seg_start) {
        /* "/" or "dir/": the directory's index. */
        if (o + sizeof(index_name) > outlen)
            goto cleanup;
        memcpy(out + o, index_name, sizeof(index_name));
        o += sizeof(index_name) - 1;
    } else if (static_files_check_segment(out + seg_start, o - seg_start) < 0) {
        goto cleanup;
    }
    out[o] = '\0';
    ret = 0;

cleanup:
    if (ret < 0 && out && outlen > 0)
        out[0] = '\0';
    return ret;
}

struct static_files *static_files_new(const char *web_root)
{
    struct static_files *files = NULL;
    char *root = NULL;
    struct stat st;

    if (!web_root)
        goto cleanup;
    root = realpath(web_root, NULL);
    if (!root || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
        log_error("static_files: web root %s: %s", web_root,
                  root ? "not a directory" : strerror(errno));
        goto cleanup;
    }
    files = xcalloc(1, sizeof(*files));
    files->root = root;
    root = NULL;
    files->root_len = strlen(files->root);
    files->nbuckets = STATIC_FILES_INITIAL_BUCKETS;
    files->buckets = xcalloc(files->nbuckets, sizeof(*files->buckets));

cleanup:
    free(root);
    return files;
}

static void static_entry_free(struct static_entry *e)
{
    if (!e)
        return;
    free(e->rel);
    free(e->data);
    free(e->gz);
    free(e);
}

void static_files_free(struct static_files *files)
{
    if (!files)
        return;
    for (size_t i = 0; i < files->nbuckets; i++) {
        struct static_entry *e = files->buckets[i];

        while (e) {
            struct static_entry *next = e->next;

            static_entry_free(e);
            e = next;
        }
    }
    free(files->buckets);
    free(files->root);
    free(files);
}

/* FNV-1a */
static size_t static_files_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

static struct static_entry **static_files_slot(struct static_files *files, const char *rel)
{
    struct static_entry **slot = &files->buckets[static_files_hash(rel) % files->nbuckets];

    while (*slot && strcmp((*slot)->rel, rel) != 0)
        slot = &(*slot)->next;
    return slot;
}

static void static_files_grow(struct static_files *files)
{
    size_t n = files->nbuckets * 2;
    struct static_entry **buckets = xcalloc(n, sizeof(*buckets));

    for (size_t i = 0; i < files->nbuckets; i++) {
        struct static_entry *e = files->buckets[i];

        while (e) {
            struct static_entry *next = e->next;
            size_t b = static_files_hash(e->rel) % n;

            e->next = buckets[b];
            buckets[b] = e;
            e = next;
        }
    }
    free(files->buckets);
    files->buckets = buckets;
    files->nbuckets = n;
}

static void static_files_drop(struct static_files *files, const char *rel)
{
    struct static_entry **slot = static_files_slot(files, rel);
    struct static_entry *e = *slot;

    if (!e)
        return;
    *slot = e->next;
    static_entry_free(e);
    files->count--;
}

static bool static_files_inside_root(const struct static_files *files, const char *real)
{
    if (strcmp(files->root, "/") == 0)
        return real[0] == '/';
    return strncmp(real, files->root, files->root_len) == 0 && real[files->root_len] == '/';
}

static int static_files_read_fd(int fd, unsigned char *data, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

unsigned char *static_files_gzip(const unsigned char *data, size_t len, int level, size_t *gz_len)
{
    unsigned char *gz = NULL;
    unsigned char *out = NULL;
    z_stream zs;
    bool inited = false;
    uLong bound;

    memset(&zs, 0, sizeof(zs));
    if (len == 0)
        goto cleanup;
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        goto cleanup;
    inited = true;
    bound = deflateBound(&zs, (uLong)len);
    out = xmalloc(bound);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)bound;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out >= len)
        goto cleanup;
    *gz_len = zs.total_out;
    gz = out;
    out = NULL;

cleanup:
    if (inited)
        deflateEnd(&zs);
    free(out);
    return gz;
}

/* Reads rel from disk into a new entry after the containment checks; NULL if refused. */
static struct static_entry *static_files_load(struct static_files *files, const char *rel,
                                              const char *full)
{
    struct static_entry *entry = NULL;
    struct static_entry *e = NULL;
    char *real = NULL;
    int fd = -1;
    struct stat st;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const struct static_type *type;

    real = realpath(full, NULL);
    if (!real || !static_files_inside_root(files, real)) {
        if (real)
            log_warn("static_files: refusing %s: resolves outside the web root", rel);
        goto cleanup;
    }
    /* The resolved path has no symlinks left; O_NOFOLLOW refuses one swapped in since. */
    fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        goto cleanup;
    if ((uintmax_t)st.st_size > STATIC_FILES_MAX_SIZE) {
        log_warn("static_files: refusing %s: larger than %u bytes", rel, STATIC_FILES_MAX_SIZE);
        goto cleanup;
    }
    e = xcalloc(1, sizeof(*e));
    e->len = (size_t)st.st_size;
    e->data = xmalloc(e->len);
    if (static_files_read_fd(fd, e->data, e->len) < 0)
        goto cleanup;
    if (EVP_Digest(e->data, e->len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len < 16)
        goto cleanup;
    e->etag[0] = '"';
    for (unsigned int i = 0; i < 16; i++)
        snprintf(e->etag + 1 + 2 * i, 3, "%02x", md[i]);
    e->etag[33] = '"';
    e->etag[34] = '\0';
    type = static_files_find_type(rel);
    e->content_type = type ? type->type : "application/octet-stream";
    if (type && type->compressible)
        e->gz = static_files_gzip(e->data, e->len, Z_BEST_COMPRESSION, &e->gz_len);
    /* HTML names the fingerprinted files, so it must always be revalidated. */
    e->cache_control =
        static_files_is_fingerprinted(rel) && strncmp(e->content_type, "text/html", 9) != 0
            ? STATIC_FILES_CC_IMMUTABLE
            : STATIC_FILES_CC_NO_CACHE;
    e->rel = xstrdup(rel);
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->size = st.st_size;
    e->mtime = st.st_mtim;
    entry = e;
    e = NULL;

cleanup:
    if (fd >= 0)
        close(fd);
    free(real);
    static_entry_free(e);
    return entry;
}

static bool static_entry_current(const struct static_entry *e, const struct stat *st)
{
    return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

int static_files_get(struct static_files *files, const char *url_path, bool accept_gzip,
                     struct static_file *out)
{
    int ret = -1;
    char rel[PATH_MAX];
    char full[PATH_MAX + 64];
    struct stat st;
    struct static_entry **slot;
    struct static_entry *e;
    int n;

    if (!files || !out || static_files_sanitize(url_path, rel, sizeof(rel)) < 0)
        goto cleanup;
    n = snprintf(full, sizeof(full), "%s/%s", files->root, rel);
    if (n < 0 || (size_t)n >= sizeof(full) || stat(full, &st) < 0)
        goto cleanup;
    if (S_ISDIR(st.st_mode)) {
        size_t rl = strlen(rel);
        static const char suffix[] = "/index.html";

        if (rl + sizeof(suffix) > sizeof(rel))
            goto cleanup;
        memcpy(rel + rl, suffix, sizeof(suffix));
        n = snprintf(full, sizeof(full), "%s/%s", files->root, rel);
        if (n < 0 || (size_t)n >= sizeof(full) || stat(full, &st) < 0)
            goto cleanup;
    }
    if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > STATIC_FILES_MAX_SIZE) {
        static_files_drop(files, rel);
        goto cleanup;
    }
    slot = static_files_slot(files, rel);
    e = *slot;
    if (!e || !static_entry_current(e, &st)) {
        struct static_entry *fresh = static_files_load(files, rel, full);

        if (!fresh) {
            static_files_drop(files, rel);
            goto cleanup;
        }
        if (e) {
            fresh->next = e->next;
            static_entry_free(e);
            *slot = fresh;
        } else {
            fresh->next = NULL;
            *slot = fresh;
            files->count++;
            if (files->count > files->nbuckets)
                static_files_grow(files);
        }
        e = fresh;
    }
    out->content_type = e->content_type;
    out->etag = e->etag;
    out->cache_control = e->cache_control;
    if (accept_gzip && e->gz) {
        out->data = e->gz;
        out->len = e->gz_len;
        out->gzipped = true;
    } else {
        out->data = e->data;
        out->len = e->len;
        out->gzipped = false;
    }
    ret = 0;

cleanup:
    return ret;
}
