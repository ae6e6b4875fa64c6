/* api_auth: login, logout and session endpoints.
 *
 * Service thread for the handlers; the login check (password hashing, SQLite) runs on
 * the password lane (app->password_lane: its own thread and short queue), so logins,
 * however many, never hold up the libvirt workers. Unknown user and wrong password
 * give the same 401 after the same amount of hashing work. The throttle counts the
 * attempt before it is queued (auth_throttle_begin), so parallel guesses cannot pass
 * its check together; the lane's worker ends the attempt (success: take it back;
 * unchecked: cancel; wrong password: it stays counted). */
#include "api/api_auth.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_job.h"
#include "api/api_json.h"
#include "app.h"
#include "auth_password.h"
#include "auth_sessions.h"
#include "auth_throttle.h"
#include "auth_users.h"
#include "config.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define API_AUTH_COOKIE       "virtdeck_session"
#define API_AUTH_PASSWORD_MAX 1024
#define API_AUTH_BUSY_RETRY_S 1 /* Retry-After when the password lane is full */

struct api_login_job {
    struct api_job_base base;
    char username[AUTH_USERNAME_MAX + 1];
    char password[API_AUTH_PASSWORD_MAX + 1];
};

static struct json_object *api_auth_session_json(const struct auth_session *session)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "username", json_object_new_string(session->username));
    json_object_object_add(obj, "role", json_object_new_string(auth_role_name(session->role)));
    json_object_object_add(obj, "csrf_token", json_object_new_string(session->csrf_token));
    json_object_object_add(obj, "expires_at", json_object_new_int64(session->expires_s));
    return obj;
}

static void api_auth_login_run(struct work_job *job)
{
    struct api_login_job *arg = job->arg;
    struct app *app = arg->base.app;
    struct auth_user user = {0};
    struct auth_session session;
    struct app_error err;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    char cookie[256];
    int found;

    app_error_clear(&err);
    found = auth_users_get(app->db, arg->username, &user, &err);
    if (found < 0) {
        auth_throttle_cancel(app->throttle, arg->base.peer, arg->username);
        http_response_error(&job->response, &err);
        goto cleanup;
    }
    if (!auth_password_verify(arg->password, found ? user.password_hash : NULL)) {
        /* auth_throttle_begin counted this failure already. */
        store_audit(app->db, arg->username, arg->base.peer, "login", "", "unauthorized");
        http_response_errorf(&job->response, 401, APP_ERR_UNAUTHORIZED,
                             "invalid username or password");
        goto cleanup;
    }
    auth_throttle_success(app->throttle, arg->base.peer, arg->username);
    if (auth_sessions_create(app->sessions, user.name, user.role, token, &session) < 0) {
        http_response_errorf(&job->response, 500, APP_ERR_INTERNAL, "cannot create a session");
        goto cleanup;
    }
    store_audit(app->db, user.name, arg->base.peer, "login", "", "ok");
    snprintf(cookie, sizeof(cookie), "%s=%s; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=%d",
             API_AUTH_COOKIE, token, app->config->session_max_s);
    http_response_header(&job->response, "Set-Cookie", cookie);
    http_response_header(&job->response, "Cache-Control", "no-store");
    http_response_json_take(&job->response, 200, api_auth_session_json(&session));
    OPENSSL_cleanse(cookie, sizeof(cookie));
    OPENSSL_cleanse(token, sizeof(token));

cleanup:
    OPENSSL_cleanse(arg->password, sizeof(arg->password));
    auth_user_clear(&user);
}

static void api_auth_retry_after(struct http_response *resp, int seconds)
{
    char retry[16];

    snprintf(retry, sizeof(retry), "%d", seconds);
    http_response_header(resp, "Retry-After", retry);
}

enum api_result api_auth_login(struct app *app, const struct http_request *req,
                               struct http_response *resp)
{
    static const char *const fields[] = {"username", "password", NULL};
    struct json_object *body = NULL;
    struct api_login_job *arg = NULL;
    const char *username, *password;
    struct app_error err;
    enum api_result ret = API_DONE;
    int wait_s;

    app_error_clear(&err);
    body = api_json_parse_object(req->body, req->body_len, fields, false, &err);
    if (!body)
        goto fail;
    if (!(username = api_json_get_string(body, "username", AUTH_USERNAME_MAX, &err)) ||
        !(password = api_json_get_string(body, "password", API_AUTH_PASSWORD_MAX, &err)))
        goto fail;
    wait_s = auth_throttle_begin(app->throttle, req->peer, username, clock_mono_ms());
    if (wait_s > 0) {
        api_auth_retry_after(resp, wait_s);
        app_error_set(&err, 429, APP_ERR_TOO_MANY, "too many failed logins; try again in %d s",
                      wait_s);
        goto fail;
    }
    arg = xcalloc(1, sizeof(*arg));
    api_job_base_init(&arg->base, app, req);
    snprintf(arg->username, sizeof(arg->username), "%s", username);
    snprintf(arg->password, sizeof(arg->password), "%s", password);
    ret = api_job_submit_to(app->password_lane, req, api_auth_login_run, arg, resp);
    arg = NULL;
    if (ret == API_DONE) {
        /* The lane is full (503): nothing was checked, so nothing is counted. */
        auth_throttle_cancel(app->throttle, req->peer, username);
        api_auth_retry_after(resp, API_AUTH_BUSY_RETRY_S);
    }
    goto cleanup;

fail:
    http_response_error(resp, &err);

cleanup:
    free(arg);
    json_object_put(body);
    return ret;
}

struct api_logout_job {
    struct api_job_base base;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    char session_id[17];
};

static void api_auth_logout_run(struct work_job *job)
{
    struct api_logout_job *arg = job->arg;
    struct json_object *ok = json_object_new_object();

    auth_sessions_destroy(arg->base.app->sessions, arg->token);
    OPENSSL_cleanse(arg->token, sizeof(arg->token));
    store_audit(arg->base.app->db, arg->base.username, arg->base.peer, "logout", "", "ok");
    log_info("auth: %s logged out (session %s) from %s", arg->base.username, arg->session_id,
             arg->base.peer);
    http_response_header(&job->response, "Set-Cookie",
                         API_AUTH_COOKIE "=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    json_object_object_add(ok, "ok", json_object_new_boolean(1));
    http_response_json_take(&job->response, 200, ok);
}

/* The session ends on a worker (SQLite write); its websockets, of every kind, are then
 * closed by the housekeeping timer's session check (serve.c, within 250 ms), the one
 * path for every way a session ends. */
enum api_result api_auth_logout(struct app *app, const struct http_request *req,
                                struct http_response *resp)
{
    struct api_logout_job *arg = xcalloc(1, sizeof(*arg));

    api_job_base_init(&arg->base, app, req);
    snprintf(arg->token, sizeof(arg->token), "%s", req->session_token);
    snprintf(arg->session_id, sizeof(arg->session_id), "%s", req->session.id);
    return api_job_submit(app, req, api_auth_logout_run, arg, resp);
}

enum api_result api_auth_session(struct app *app, const struct http_request *req,
                                 struct http_response *resp)
{
    http_response_header(resp, "Cache-Control", "no-store");
    http_response_json_take(resp, 200, api_auth_session_json(&req->session));
    return API_DONE;
}
