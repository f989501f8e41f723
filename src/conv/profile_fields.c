/* profile_fields.c — profile_all_fields (conv/profile.h) from the one list in profile_fields.h. */
#include "conv/profile.h"
#include "conv/profile_fields.h"

#define FIELD_NAME(n, k, v) #n,
const char *const profile_all_fields[PROFILE_FIELD_COUNT + 1] = {PROFILE_FIELDS(FIELD_NAME) NULL};
