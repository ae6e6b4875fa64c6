# SPDX-License-Identifier: LGPL-2.1-or-later
WRAP_test_virt_domain := -Wl,--wrap=virDomainReset -Wl,--wrap=virConnectListAllDomains -Wl,--wrap=virDomainGetXMLDesc \
                         -Wl,--wrap=virDomainGetState -Wl,--wrap=virDomainIsPersistent \
                         -Wl,--wrap=virDomainGetAutostart -Wl,--wrap=virDomainListGetStats
WRAP_test_virt_stats := -Wl,--wrap=virConnectGetAllDomainStats -Wl,--wrap=clock_mono_us
WRAP_test_virt_conn := -Wl,--wrap=virConnectRegisterCloseCallback $(foreach f,virDomainGetState virDomainGetInfo virDomainGetXMLDesc virDomainIsPersistent virDomainIsActive virDomainGetAutostart virDomainLookupByUUIDString virDomainInterfaceAddresses virConnectListAllDomains virConnectGetAllDomainStats virDomainListGetStats virConnectListAllNetworks virConnectListAllStoragePools virNodeGetInfo virNetworkGetXMLDesc virNetworkIsActive virNetworkIsPersistent virNetworkGetAutostart virNetworkLookupByName virStoragePoolGetXMLDesc virStoragePoolGetInfo virStoragePoolIsActive virStoragePoolIsPersistent virStoragePoolGetAutostart virStoragePoolLookupByName virStoragePoolListAllVolumes,-Wl,--wrap=$(f))
WRAP_test_serial_target := -Wl,--wrap=virDomainOpenConsole -Wl,--wrap=virGetLastErrorCode
WRAP_test_events_feed := -Wl,--wrap=work_pool_submit -Wl,--wrap=virt_conn_event_message
# the connection layer's tests answer session lookups themselves (tests/unit/fake_conn.h)
WRAP_test_conn := -Wl,--wrap=auth_sessions_lookup -Wl,--wrap=auth_sessions_alive
WRAP_test_conn_sessions := $(WRAP_test_conn)
WRAP_test_virt_pump := $(foreach f,virConnectOpen virConnectSetKeepAlive virConnectRegisterCloseCallback virConnectUnregisterCloseCallback virConnectClose virStreamSend virStreamRecv virStreamAbort virStreamFinish virStreamFree virStreamEventAddCallback virStreamEventUpdateCallback virStreamEventRemoveCallback,-Wl,--wrap=$(f))
# the capabilities cache: libvirt's answers counted, connections faked
WRAP_test_virt_caps := $(foreach f,virConnectGetCapabilities virConnectGetDomainCapabilities virConnectGetCPUModelNames virConnectRef virConnectClose,-Wl,--wrap=$(f))
# the live tuning: a refused live change told apart from a failure (the error code forced)
WRAP_test_virt_tuning := -Wl,--wrap=virGetLastErrorCode -Wl,--wrap=virDomainSetBlkioParameters
