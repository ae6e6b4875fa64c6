/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_password_policy: the password policy (see auth_password_policy.h).
 *
 * Length is counted in characters (code points), as a person counts them: "pässwörd" is
 * 8, not 10. The byte bound is the login form's, so every password that is accepted here
 * can also be typed at login. The minimum is written once before threads start. */
#include "auth_password_policy.h"

#include <stdint.h>
#include <string.h>

#include "util/utf8_name.h"

static int auth_password_policy_min_chars = AUTH_PASSWORD_MIN_DEFAULT;

void auth_password_policy_set_min(int min_chars)
{
    if (min_chars < AUTH_PASSWORD_MIN_LOWEST)
        min_chars = AUTH_PASSWORD_MIN_LOWEST;
    if (min_chars > AUTH_PASSWORD_MAX_BYTES)
        min_chars = AUTH_PASSWORD_MAX_BYTES;
    auth_password_policy_min_chars = min_chars;
}

int auth_password_policy_min(void)
{
    return auth_password_policy_min_chars;
}

/* The number of characters in password[0..len), or -1 when it is not valid UTF-8 or
 * holds a control character. */
static long auth_password_policy_chars(const char *password, size_t len)
{
    const unsigned char *p = (const unsigned char *)password;
    long chars = 0;

    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_name_decode(p, len, &cp);

        if (n == 0 || utf8_name_is_control(cp))
            return -1;
        p += n;
        len -= n;
        chars++;
    }
    return chars;
}

int auth_password_policy_check(const char *name, const char *password, struct app_error *err)
{
    int ret = -1;
    int min = auth_password_policy_min_chars;
    size_t len;
    long chars;

    if (!password) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"password\" is required");
        goto cleanup;
    }
    len = strnlen(password, AUTH_PASSWORD_MAX_BYTES + 1);
    if (len > AUTH_PASSWORD_MAX_BYTES) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "password must be at most %d bytes",
                      AUTH_PASSWORD_MAX_BYTES);
        goto cleanup;
    }
    chars = auth_password_policy_chars(password, len);
    if (chars < 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "password must be UTF-8 text without line breaks or control characters");
        goto cleanup;
    }
    if (chars < min) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "password must be at least %d characters",
                      min);
        goto cleanup;
    }
    if (name && strcmp(name, password) == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "password must not be the user name");
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (ret < 0)
        app_error_at_field(err, "", "password");
    return ret;
}
