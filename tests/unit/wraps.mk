WRAP_test_virt_domain := -Wl,--wrap=virDomainReset -Wl,--wrap=virConnectListAllDomains -Wl,--wrap=virDomainGetXMLDesc \
                         -Wl,--wrap=virDomainGetState -Wl,--wrap=virDomainIsPersistent \
                         -Wl,--wrap=virDomainGetAutostart -Wl,--wrap=virDomainListGetStats
WRAP_test_virt_stats := -Wl,--wrap=virConnectGetAllDomainStats -Wl,--wrap=clock_mono_us
WRAP_test_virt_conn := -Wl,--wrap=virConnectRegisterCloseCallback
WRAP_test_serial_target := -Wl,--wrap=virDomainOpenConsole -Wl,--wrap=virGetLastErrorCode
