/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_sample: the shared, immutable collection of figures (see the header), its
 * reference count, and the holder of the newest one. */
#include "metrics/metrics_sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct metrics_sample *metrics_sample_new(void)
{
    struct metrics_sample *sample = xcalloc(1, sizeof(*sample));

    atomic_init(&sample->refs, 1);
    sample->host.cpu_percent = NAN;
    sample->host.load1 = NAN;
    sample->host.load5 = NAN;
    sample->host.load15 = NAN;
    return sample;
}

struct metrics_sample *metrics_sample_ref(struct metrics_sample *sample)
{
    atomic_fetch_add(&sample->refs, 1);
    return sample;
}

static void metrics_domain_clear(struct metrics_domain *dom)
{
    size_t i;

    free(dom->name);
    free(dom->vcpus);
    for (i = 0; i < dom->disk_count; i++)
        free(dom->disks[i].name);
    free(dom->disks);
    for (i = 0; i < dom->nic_count; i++)
        free(dom->nics[i].name);
    free(dom->nics);
}

void metrics_sample_unref(struct metrics_sample *sample)
{
    size_t i;

    if (!sample || atomic_fetch_sub(&sample->refs, 1) != 1)
        return;
    for (i = 0; i < sample->domain_count; i++)
        metrics_domain_clear(&sample->domains[i]);
    free(sample->domains);
    for (i = 0; i < sample->pool_count; i++)
        free(sample->pools[i].name);
    free(sample->pools);
    for (i = 0; i < sample->network_count; i++)
        free(sample->networks[i].name);
    free(sample->networks);
    free(sample);
}

static int metrics_domain_cmp(const void *key, const void *elem)
{
    const struct metrics_domain *dom = elem;

    return strcmp(key, dom->uuid);
}

const struct metrics_domain *metrics_sample_domain(const struct metrics_sample *sample,
                                                   const char *uuid)
{
    if (!sample || !sample->domain_count)
        return NULL;
    return bsearch(uuid, sample->domains, sample->domain_count, sizeof(*sample->domains),
                   metrics_domain_cmp);
}

void metrics_latest_init(struct metrics_latest *latest)
{
    pthread_mutex_init(&latest->lock, NULL);
    latest->sample = NULL;
}

void metrics_latest_destroy(struct metrics_latest *latest)
{
    metrics_sample_unref(latest->sample);
    latest->sample = NULL;
    pthread_mutex_destroy(&latest->lock);
}

void metrics_latest_put(struct metrics_latest *latest, struct metrics_sample *sample)
{
    struct metrics_sample *old;

    pthread_mutex_lock(&latest->lock);
    old = latest->sample;
    latest->sample = sample;
    pthread_mutex_unlock(&latest->lock);
    metrics_sample_unref(old);
}

struct metrics_sample *metrics_latest_get(struct metrics_latest *latest)
{
    struct metrics_sample *sample = NULL;

    pthread_mutex_lock(&latest->lock);
    if (latest->sample)
        sample = metrics_sample_ref(latest->sample);
    pthread_mutex_unlock(&latest->lock);
    return sample;
}
