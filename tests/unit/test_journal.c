/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_journal: server/util/journal.c's fields (pure), its native datagram as a local
 * reader sees it, the JOURNAL_STREAM check, and log.c's output path with stderr as the
 * "journal stream" (priorities per level; the "<N>message" fallback when the journal
 * socket is absent). Single thread; a private temp directory. */
#include <endian.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/journal.h"
#include "util/log.h"
#include "tmp_dir.h"

static void test_fields(void **state)
{
    struct journal_fields f;
    char big[4000];

    journal_fields(&f, 6, "console: alice opened web1",
                   &(struct log_subject){.user = "alice", .vm = "web1", .action = "console.open"});
    assert_int_equal(f.n, 6);
    assert_string_equal(f.field[0], "PRIORITY=6");
    assert_string_equal(f.field[1], "SYSLOG_IDENTIFIER=virtdeck");
    assert_string_equal(f.field[2], "MESSAGE=console: alice opened web1");
    assert_string_equal(f.field[3], "VIRTDECK_USER=alice");
    assert_string_equal(f.field[4], "VIRTDECK_VM=web1");
    assert_string_equal(f.field[5], "VIRTDECK_ACTION=console.open");

    journal_fields(&f, 3, "plain", NULL);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.field[0], "PRIORITY=3");
    assert_string_equal(f.field[2], "MESSAGE=plain");

    /* absent subject fields are left out; an overlong message is cut, the subject kept */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    journal_fields(&f, 4, big, &(struct log_subject){.user = "bob", .action = ""});
    assert_int_equal(f.n, 4);
    assert_true(strncmp(f.field[2], "MESSAGE=xxx", 11) == 0);
    assert_true(strlen(f.field[2]) < sizeof(big));
    assert_string_equal(f.field[3], "VIRTDECK_USER=bob");
}

static int bind_reader(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

    assert_true(fd >= 0);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

static void test_send(void **state)
{
    char *dir = tmp_dir_make("journal");
    char *path = tmp_dir_path(dir, "socket");
    struct journal_fields f;
    char buf[4096];
    int fd = bind_reader(path);
    ssize_t n;
    uint64_t len;
    const char *p;

    journal_fields(&f, 7, "one line", &(struct log_subject){.vm = "db"});
    assert_int_equal(journal_send_to(path, &f), 0);
    n = recv(fd, buf, sizeof(buf) - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "PRIORITY=7\nSYSLOG_IDENTIFIER=virtdeck\nMESSAGE=one line\n"
                             "VIRTDECK_VM=db\n");

    /* a value with a newline: KEY\n, 64-bit little-endian length, value, \n */
    journal_fields(&f, 4, "two\nlines", NULL);
    assert_int_equal(journal_send_to(path, &f), 0);
    n = recv(fd, buf, sizeof(buf), 0);
    p = memmem(buf, (size_t)n, "MESSAGE\n", 8);
    assert_non_null(p);
    memcpy(&len, p + 8, 8);
    assert_int_equal(le64toh(len), 9);
    assert_memory_equal(p + 16, "two\nlines\n", 10);

    close(fd);
    unlink(path);
    assert_int_equal(journal_send_to(path, &f), -1); /* nobody listens */
    free(path);
    tmp_dir_remove(dir);
}

static void test_stream_is(void **state)
{
    char env[64];
    struct stat st;
    int fds[2];

    assert_int_equal(pipe(fds), 0);
    assert_int_equal(fstat(fds[1], &st), 0);
    unsetenv("JOURNAL_STREAM");
    assert_false(journal_stream_is(fds[1]));
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    assert_true(journal_stream_is(fds[1]));
    assert_false(journal_stream_is(STDIN_FILENO) && isatty(STDIN_FILENO));
    setenv("JOURNAL_STREAM", "1:2", 1);
    assert_false(journal_stream_is(fds[1]));
    setenv("JOURNAL_STREAM", "garbage", 1);
    assert_false(journal_stream_is(fds[1]));
    unsetenv("JOURNAL_STREAM");
    close(fds[0]);
    close(fds[1]);
}

/* log's real path: stderr is a file named by JOURNAL_STREAM. With no journal socket on
 * this machine the fallback writes "<priority>message" (no time); with one, nothing
 * reaches the file (the entries went to the journal). */
static void test_log_output(void **state)
{
    char *dir = tmp_dir_make("journal-log");
    char *path = tmp_dir_path(dir, "stderr");
    char env[64], text[1024] = "";
    struct stat st;
    FILE *fp;
    int saved = dup(STDERR_FILENO);
    int fd;
    size_t n;

    fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    log_set_level(LOG_DEBUG);
    log_debug("d %d", 1);
    log_info("i");
    log_event(LOG_WARN, &(struct log_subject){.user = "u"}, "w");
    log_error("e");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_set_level(LOG_INFO);
    fp = fdopen(fd, "r");
    assert_non_null(fp);
    rewind(fp);
    n = fread(text, 1, sizeof(text) - 1, fp);
    text[n] = '\0';
    fclose(fp);
    if (access(JOURNAL_SOCKET_PATH, F_OK) != 0)
        assert_string_equal(text, "<7>d 1\n<6>i\n<4>w\n<3>e\n");
    else
        assert_string_equal(text, "");
    unlink(path);
    free(path);
    tmp_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_send),
        cmocka_unit_test(test_stream_is),
        cmocka_unit_test(test_log_output),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
