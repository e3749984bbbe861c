# Per-generator CPack settings (CPACK_PROJECT_CONFIG_FILE), read by cpack once for each generator.
if(CPACK_GENERATOR STREQUAL "TGZ")
  set(CPACK_COMPONENT_INCLUDE_TOPLEVEL_DIRECTORY ON) # the .tar.gz unpacks into brigade-VERSION-Linux/
endif()
