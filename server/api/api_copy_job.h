/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_copy_job: the progress of a job that copies volumes (a clone's disks, a full copy
 * of a template's): a copy watch (virt_copy_watch.h) on the volume being written, the
 * bytes of the copies already made, and the job's progress (api_runner_progress) from
 * both. Its `progress` member is what the virt layer's copy loops call
 * (virt_clone_progress: before each copy, and with no volume once they are made).
 *
 * Threads: start, the copying callback and stop run on the job's thread (the runner's
 * lane); readings arrive on the watch's thread; `lock` is where they meet. */
#pragma once

#include <libvirt/libvirt.h>
#include <pthread.h>

#include "virt/virt_domain_clone.h"

struct api_runner_job;
struct virt_copy_watch;

struct api_copy_job {
    struct virt_clone_progress progress; /* hand &progress to the copy loop */
    struct api_runner_job *job;          /* borrowed: the running job */
    struct virt_copy_watch *watch;       /* owned between start and stop */
    pthread_mutex_t lock;
    unsigned long long before;  /* lock: bytes of the copies made */
    unsigned long long current; /* lock: the running copy's source allocation */
};

/* Starts following job's copies on conn (the watch's thread). The job's thread. */
void api_copy_job_start(struct api_copy_job *copy, struct api_runner_job *job, virConnectPtr conn);
/* Stops the watch and releases what start took. The job's thread. */
void api_copy_job_stop(struct api_copy_job *copy);
