# `npm ci` in the Filebase double's folder when node_modules is missing or older than
# package-lock.json (as ./gw does for tests/reference). Run by ctest as the fixture of the
# filebase tests: cmake -DNPM=<npm> -DDIR=<tests/filebase> -P npm_ci.cmake
if(EXISTS ${DIR}/node_modules AND NOT ${DIR}/package-lock.json IS_NEWER_THAN ${DIR}/node_modules)
  message(STATUS "${DIR}/node_modules is up to date")
  return()
endif()
execute_process(COMMAND ${NPM} ci --no-audit --no-fund WORKING_DIRECTORY ${DIR} RESULT_VARIABLE rc TIMEOUT 280)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm ci failed in ${DIR} (${rc}): the filebase tests need Node.js and npm")
endif()
file(TOUCH_NOCREATE ${DIR}/node_modules)
