/* api_domain_clone: POST /api/domains/{uuid}/clone (row DOMAIN_CLONE), see
 * virt_domain_clone.h. The row's FIELDS check the body on the service thread; the
 * copy runs on a worker and answers once it is done (201). */
#pragma once

#include "api/api_call.h"

/* {"name", "title"?}: answers 201 {"domain": the clone's detail, "copies": [...]}. */
extern const struct api_handler api_domain_clone;
