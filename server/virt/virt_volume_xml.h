/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_volume_xml: the JSON request → libvirt volume XML builder, and the reader of
 * the fields of a volume's XML that the volume object shows.
 *
 * Pure (no libvirt calls), any thread; fuzzed by tests/fuzz/fuzz_volume_xml.c. The
 * XML is built with libxml2's tree API only, never by pasting strings, and the
 * builder emits only what the request asked for. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "util/app_error.h"

/* The largest capacity a volume may have: 16 TiB. */
#define VIRT_VOLUME_MAX_CAPACITY (16ULL << 40)

/* True if name is a valid volume name: the UTF8_NAME_FILE rule of util/utf8_name.h
 * (1-255 bytes of UTF-8, no '/' or control character, not "." or "..", no '-' first, no
 * white space first or last), so a volume never names a file outside its pool. */
int virt_volume_xml_name_valid(const char *name);

/* Builds a <volume> document from req: {"name" (required), "capacity_bytes" (required,
 * 1 .. VIRT_VOLUME_MAX_CAPACITY), "format" ("qcow2", "raw" or "iso", required),
 * "allocation_bytes" (optional, 0 .. capacity), "backing": {"volume": name} (optional,
 * qcow2 only)}. Any other key is refused. When req has "backing", backing_path and
 * backing_format (the resolved backing volume, borrowed) must be given and become
 * <backingStore>; otherwise they must be NULL. Emits <name>, <capacity unit='bytes'>,
 * <allocation unit='bytes'> only when asked, <target><format type=/></target>.
 * Returns 0 with *xml_out (free with free()) or -1 with err (400). */
int virt_volume_xml_build(struct json_object *req, const char *backing_path,
                          const char *backing_format, char **xml_out, struct app_error *err)
    __attribute__((warn_unused_result));

/* The bytes a new volume takes from its pool under our space rule: allocation when
 * given (has_allocation), else the whole capacity for "raw" and "iso" (libvirt allocates
 * such a file fully when no allocation is given) and 0 for "qcow2" (grows on demand; its
 * metadata is small). */
uint64_t virt_volume_xml_needed_bytes(const char *format, uint64_t capacity, int has_allocation,
                                      uint64_t allocation);

/* Reads a volume XML document and adds to obj: "format" (<target><format type>, "raw"
 * when absent) and "backing" ({"path","format"} from <backingStore>, or null).
 * Returns 0 or -1 with err (502, malformed XML). */
int virt_volume_xml_read(const char *xml, struct json_object *obj, struct app_error *err)
    __attribute__((warn_unused_result));
