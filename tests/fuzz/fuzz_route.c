/* fuzz_route: libFuzzer target for route_match (server/http/route.h), which sees every
 * request path a client sends. Runs on libFuzzer's thread; no state between inputs.
 *
 * Input: the path (bytes up to the first NUL). Invariants checked beyond "no crash":
 * the {uuid}/{action} segments are NUL-terminated within ROUTE_PARAM_MAX, non-empty when
 * their route needs them and never contain '/'; a refused path leaves a zeroed match;
 * non-/api/ paths are the public static UI; an /api/ match rebuilds exactly the path it
 * came from; websocket and public flags belong only to their routes; the Allow header
 * never overruns its buffer. */
#include <stdio.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/route.h"

#define FUZZ_ROUTE_ALL_METHODS                                                                     \
    (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE | HTTP_OPTIONS)

/* The path a match came from, or NULL for ROUTE_NONE/ROUTE_STATIC (caller frees). */
static char *fuzz_route_rebuild(const struct route_match *m)
{
    switch (m->id) {
    case ROUTE_LOGIN:
        return xstrdup("/api/login");
    case ROUTE_LOGOUT:
        return xstrdup("/api/logout");
    case ROUTE_SESSION:
        return xstrdup("/api/session");
    case ROUTE_HOST:
        return xstrdup("/api/host");
    case ROUTE_EVENTS:
        return xstrdup("/api/events");
    case ROUTE_DOMAINS:
        return xstrdup("/api/domains");
    case ROUTE_DOMAIN:
        return xasprintf("/api/domains/%s", m->uuid);
    case ROUTE_DOMAIN_ACTION:
    case ROUTE_CONSOLE:
    case ROUTE_SERIAL:
        return xasprintf("/api/domains/%s/%s", m->uuid, m->action);
    default:
        return NULL;
    }
}

static void fuzz_route_check_param(const char *param, bool required)
{
    const char *nul = memchr(param, '\0', ROUTE_PARAM_MAX);

    FUZZ_ASSERT(nul != NULL);
    FUZZ_ASSERT(!memchr(param, '/', (size_t)(nul - param)));
    FUZZ_ASSERT(required ? param[0] != '\0' : param[0] == '\0');
}

static void fuzz_route_check_allow_header(unsigned methods, size_t outlen)
{
    char full[128];
    char part[128];

    route_allow_header(methods, full, sizeof(full));
    memset(part, 'X', sizeof(part));
    route_allow_header(methods, part, outlen);
    FUZZ_ASSERT(memchr(part, '\0', outlen) != NULL);
    FUZZ_ASSERT(strncmp(full, part, strlen(part)) == 0);
    /* Nothing written past outlen. */
    for (size_t i = outlen; i < sizeof(part); i++)
        FUZZ_ASSERT(part[i] == 'X');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_input_cstr(data, size);
    char *rebuilt = NULL;
    struct route_match m;
    bool is_api = strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
    int r;

    memset(&m, 0xa5, sizeof(m));
    r = route_match(path, &m);
    FUZZ_ASSERT(r == 0 || r == -1);
    fuzz_route_check_param(m.uuid, m.id == ROUTE_DOMAIN || m.id == ROUTE_DOMAIN_ACTION ||
                                       m.id == ROUTE_CONSOLE || m.id == ROUTE_SERIAL);
    fuzz_route_check_param(m.action, m.id == ROUTE_DOMAIN_ACTION || m.id == ROUTE_CONSOLE ||
                                         m.id == ROUTE_SERIAL);
    FUZZ_ASSERT(m.id != ROUTE_CONSOLE || strcmp(m.action, "console") == 0);
    FUZZ_ASSERT(m.id != ROUTE_SERIAL || strcmp(m.action, "serial") == 0);
    if (r < 0) {
        FUZZ_ASSERT(is_api);
        FUZZ_ASSERT(m.id == ROUTE_NONE && m.methods == 0 && !m.websocket && !m.public_route);
        goto cleanup;
    }
    FUZZ_ASSERT(m.methods != 0 && (m.methods & ~(unsigned)FUZZ_ROUTE_ALL_METHODS) == 0);
    FUZZ_ASSERT(m.websocket ==
                (m.id == ROUTE_EVENTS || m.id == ROUTE_CONSOLE || m.id == ROUTE_SERIAL));
    FUZZ_ASSERT(m.public_route == (m.id == ROUTE_STATIC || m.id == ROUTE_LOGIN));
    /* Only the login, logout and action routes may change state. */
    FUZZ_ASSERT(!route_allows(&m, HTTP_POST) || m.id == ROUTE_LOGIN || m.id == ROUTE_LOGOUT ||
                m.id == ROUTE_DOMAIN_ACTION);
    FUZZ_ASSERT(!route_allows(&m, HTTP_PUT) && !route_allows(&m, HTTP_DELETE) &&
                !route_allows(&m, HTTP_PATCH) && !route_allows(&m, HTTP_OTHER));
    if (!is_api) {
        FUZZ_ASSERT(m.id == ROUTE_STATIC);
    } else {
        rebuilt = fuzz_route_rebuild(&m);
        FUZZ_ASSERT(rebuilt != NULL);
        FUZZ_ASSERT(strcmp(rebuilt, path) == 0);
    }
    fuzz_route_check_allow_header(m.methods, 1 + strlen(path) % 40);

cleanup:
    free(rebuilt);
    free(path);
    return 0;
}
