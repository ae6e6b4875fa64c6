/* serial: the serial console endpoint. Not built yet: every socket is closed at once
 * with 4501 and a reason, so the route is refused clearly rather than left silent.
 * Service thread. */
#include "serial.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct serial_hub {
    int unused;
};

struct serial_hub *serial_hub_new(void)
{
    return xcalloc(1, sizeof(struct serial_hub));
}

void serial_hub_free(struct serial_hub *hub)
{
    free(hub);
}

int serial_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                   const struct auth_session *session, const char *peer, const char *uuid)
{
    static const char why[] = "the serial console is not available yet";

    lws_close_reason(wsi, (enum lws_close_status)4501, (unsigned char *)why, strlen(why));
    return -1;
}

int serial_ws_receive(struct app *app, struct lws *wsi, uint64_t conn_id, const void *in,
                      size_t len)
{
    return -1;
}

int serial_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id)
{
    return -1;
}

void serial_ws_closed(struct app *app, uint64_t conn_id)
{
}

void serial_dispatch(struct app *app)
{
}

void serial_session_ended(struct app *app, const char *session_id)
{
}
