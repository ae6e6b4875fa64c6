WRAP_test_virt_domain := -Wl,--wrap=virDomainReset -Wl,--wrap=virConnectListAllDomains -Wl,--wrap=virDomainGetXMLDesc
