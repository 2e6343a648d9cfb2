# Writes a C++ source holding every built-in rule file as a raw string,
# keyed by its path relative to rules/. Invoked at build time.
separate_arguments(FILE_LIST UNIX_COMMAND "${FILES}")
set(BODY "// Generated from rules/ at build time. Do not edit.\n#include \"rule/builtin_rules.h\"\n\nnamespace exhunt {\n\nconst std::vector<EmbeddedFile>& BuiltinRuleFiles() {\n  static const std::vector<EmbeddedFile> files = {\n")
list(SORT FILE_LIST)
foreach(F ${FILE_LIST})
  file(READ ${F} CONTENT)
  file(RELATIVE_PATH REL ${ROOT} ${F})
  set(BODY "${BODY}      {\"${REL}\", R\"exhunt_rule(${CONTENT})exhunt_rule\"},\n")
endforeach()
set(BODY "${BODY}  };\n  return files;\n}\n\n}  // namespace exhunt\n")
file(WRITE ${OUT}.tmp "${BODY}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
