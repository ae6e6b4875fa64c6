/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nocloud_iso: a test tool that writes a NoCloud seed ISO made by virt_nocloud (the
 * module the create API uses), for the guest image test (tests/integration/
 * guest-image-qemu.test.mjs) and by hand:
 *
 *   nocloud_iso OUT.iso INSTANCE_ID HOSTNAME [USER [SSH_KEY...]]
 *
 * Exits 0 with the image written, 1 with the module's error on stderr, 2 for a usage
 * error. Single thread; built by the Makefile for the tests only, never installed. */
#include <stdio.h>
#include <stdlib.h>

#include "virt/virt_nocloud.h"

int main(int argc, char **argv)
{
    struct virt_nocloud_seed seed = {0};
    struct app_error err;
    unsigned char *iso = NULL;
    size_t iso_len = 0;
    FILE *out = NULL;
    int ret = 1;

    if (argc < 4) {
        fprintf(stderr, "usage: %s OUT.iso INSTANCE_ID HOSTNAME [USER [SSH_KEY...]]\n", argv[0]);
        return 2;
    }
    app_error_clear(&err);
    seed.instance_id = argv[2];
    seed.hostname = argv[3];
    seed.user = argc > 4 ? argv[4] : NULL;
    seed.ssh_keys = (const char *const *)(argv + 5);
    seed.ssh_key_count = argc > 5 ? (size_t)(argc - 5) : 0;
    if (virt_nocloud_build_iso(&seed, &iso, &iso_len, &err) < 0) {
        fprintf(stderr, "nocloud_iso: %s%s%s\n", err.message, err.field[0] ? " at " : "",
                err.field);
        goto cleanup;
    }
    out = fopen(argv[1], "wb");
    if (!out || fwrite(iso, 1, iso_len, out) != iso_len) {
        perror(argv[1]);
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (out && fclose(out) != 0 && ret == 0) {
        perror(argv[1]);
        ret = 1;
    }
    free(iso);
    return ret;
}
