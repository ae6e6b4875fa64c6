/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_domain_template: server/virt/virt_domain_template.c against libvirt's test
 * driver (test:///default: one domain "test", running; fresh each time the last
 * connection to it closes). Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libvirt/virterror.h>

#include "util/app_error.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_template.h"

static int open_default(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");

    assert_non_null(conn);
    *state = conn;
    return 0;
}

static int close_default(void **state)
{
    virConnectClose(*state);
    return 0;
}

/* The fragment is one empty element the libxml2 serialiser wrote. */
static void test_fragment(void **state)
{
    char *xml = virt_domain_template_fragment();

    assert_non_null(xml);
    assert_non_null(strstr(xml, "<template/>"));
    free(xml);
}

/* The summary's "template" member. */
static bool summary_template(virDomainPtr dom)
{
    struct app_error err;
    struct json_object *obj, *v;
    bool ret;

    app_error_clear(&err);
    obj = virt_domain_summary(dom, &err);
    assert_non_null(obj);
    assert_true(json_object_object_get_ex(obj, "template", &v));
    ret = json_object_get_boolean(v);
    json_object_put(obj);
    return ret;
}

/* running → 409; shut off: mark, the XML holds the namespaced element, start is 409
 * domain_is_template; unmark, start works. */
static void test_mark_unmark(void **state)
{
    virConnectPtr conn = *state;
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    struct app_error err;
    bool marked = true;
    char *xml;

    assert_non_null(dom);
    app_error_clear(&err);
    assert_int_equal(virt_domain_template_set(dom, true, &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(virDomainDestroy(dom), 0);

    app_error_clear(&err);
    assert_int_equal(virt_domain_template_get(dom, &marked, &err), 0);
    assert_false(marked);
    assert_false(summary_template(dom));
    assert_int_equal(virt_domain_template_set(dom, true, &err), 0);
    assert_int_equal(virt_domain_template_get(dom, &marked, &err), 0);
    assert_true(marked);
    assert_true(summary_template(dom));
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<" VIRT_DOMAIN_TEMPLATE_PREFIX
                                ":template xmlns:" VIRT_DOMAIN_TEMPLATE_PREFIX
                                "=\"" VIRT_DOMAIN_TEMPLATE_NS "\""));
    free(xml);

    assert_int_equal(virt_domain_act(dom, "start", &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_TEMPLATE);
    assert_int_equal(virDomainIsActive(dom), 0);

    app_error_clear(&err);
    assert_int_equal(virt_domain_template_set(dom, false, &err), 0);
    assert_false(summary_template(dom));
    assert_int_equal(virt_domain_act(dom, "start", &err), 0);
    assert_int_equal(virDomainIsActive(dom), 1);
    virDomainFree(dom);
}

/* "metadata not found" is an expected answer here: keep it off stderr. */
static void quiet(void *data, virErrorPtr e)
{
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fragment),
        cmocka_unit_test_setup_teardown(test_mark_unmark, open_default, close_default),
    };

    virSetErrorFunc(NULL, quiet);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
