/*
 * profile_fields.h — the fields of a visitor profile (conv/profile.h), as one X-macro: X(name, kind,
 * allowed values). profile_fields.c makes profile_all_fields from the names (no dependencies, so the bot
 * config's validation table can use it); profile.c makes its checkers from the kinds and value lists,
 * which only it defines. One list: the two cannot drift apart.
 */
#ifndef BOTWERK_CONV_PROFILE_FIELDS_H
#define BOTWERK_CONV_PROFILE_FIELDS_H

/* X(name, kind, allowed values): every field, in the order of extract.h. */
#define PROFILE_FIELDS(X)                                   \
	X(first_name, K_NAME, NULL)                         \
	X(last_name, K_NAME, NULL)                          \
	X(email, K_EMAIL, NULL)                             \
	X(phone, K_PHONE, NULL)                             \
	X(age, K_AGE, NULL)                                 \
	X(gender, K_ENUM, genders)                          \
	X(city, K_NAME, NULL)                               \
	X(occupation, K_NAME, NULL)                         \
	X(goal, K_ENUM, goals)                              \
	X(fitness_level, K_ENUM, levels)                    \
	X(training_frequency, K_FREQ, NULL)                 \
	X(health_restrictions, K_HEALTH, restrictions)      \
	X(budget_sensitive, K_BOOL, NULL)                   \
	X(time_window, K_ENUM, windows)                     \
	X(urgency, K_ENUM, urgencies)                       \
	X(how_found, K_ENUM, channels)                      \
	X(interest_level, K_ENUM, interests)                \
	X(preferred_date, K_DATE, NULL)                     \
	X(preferred_time, K_TIME, NULL)                     \
	X(notes, K_TEXT, NULL)

#endif
