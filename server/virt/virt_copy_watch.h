/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_copy_watch: how far a volume copy has come, while virStorageVolCreateXMLFrom
 * blocks the thread that asked for it.
 *
 * DESIGN (threads): the copying thread starts a watch, names the volume being written
 * (virt_copy_watch_target) before each copy and stops the watch when it is done. The
 * watch's own thread ("copy-watch") wakes every VIRT_COPY_WATCH_MS, looks the named
 * volume up and reads its allocation (virStorageVolGetInfo) on the same connection:
 * libvirt connections are thread-safe and the remote driver runs both calls side by
 * side (libvirtd drops the pool lock while it builds the volume, so the read is not
 * held up by the copy). Each reading goes to report(ctx, bytes) on the watch's thread.
 * A volume not (yet) there reads as nothing; errors are reset and ignored (progress is
 * a hint, the copy's own result is what counts). One mutex guards the target and the
 * stop flag; the thread waits on a condition variable, so stop returns at once. */
#pragma once

#include <libvirt/libvirt.h>

#define VIRT_COPY_WATCH_MS 250

struct virt_copy_watch;

/* Starts the watch on conn (a reference is taken and dropped at stop). report(ctx,
 * allocation) runs on the watch's thread for each reading. Returns NULL when the thread
 * cannot start (the copy then runs without progress). Any thread but the service
 * thread. */
struct virt_copy_watch *virt_copy_watch_start(virConnectPtr conn,
                                              void (*report)(void *ctx, unsigned long long bytes),
                                              void *ctx);

/* The volume to watch from now on (copied); pool NULL: none. NULL-safe. */
void virt_copy_watch_target(struct virt_copy_watch *watch, const char *pool, const char *name);

/* Stops the thread, waits for it (at most one reading in progress) and frees the
 * watch. NULL-safe. */
void virt_copy_watch_stop(struct virt_copy_watch *watch);
