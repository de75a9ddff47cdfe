#ifndef HAPESIRA_CLIBICAL_SHIM_H
#define HAPESIRA_CLIBICAL_SHIM_H
#include <libical/ical.h>
#endif
