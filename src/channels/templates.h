/*
 * templates.h — the WhatsApp message template registry of a bot: the list in the bot config
 * (channels.whatsapp.templates), lookup by name and language, and rendering a body with its variables.
 *
 * Config: a list of at most TEMPLATES_MAX objects (absent or null = no templates)
 *     [{"name": "appointment_reminder_22h_v1", "language": "de",
 *       "body": "Reminder zu deinem Termin morgen um {{1}} Uhr.",
 *       "category": "utility", "approved": true}, ...]
 *   name      required; [a-z0-9_], 1..TEMPLATE_NAME_MAX characters (Meta's rule for template names)
 *   language  required; a WhatsApp language code: two or three lower-case letters, optionally "_" and a
 *             two-letter upper-case region ("de", "de_DE", "en_US", "fil")
 *   body      required; the approved body text as submitted to Meta, 1..TEMPLATE_BODY_MAX characters,
 *             positional placeholders {{1}}..{{n}} (n <= TEMPLATE_PARAMS_MAX) that must run from {{1}}
 *             without gaps (a number may appear more than once). Any other "{{" is refused.
 *   category  optional; "marketing" (default: the strictest), "utility" or "authentication". Utility
 *             and authentication templates are sent with policy purpose PURPOSE_SERVICE, marketing ones
 *             with PURPOSE_MARKETING (channels/policy.h).
 *   approved  optional, default false; only approved templates may be sent (policy_decide checks it).
 *   params    optional; one entry per placeholder: the contact field that fills it when the template
 *             stands in for a flow text or a scheduled task ("first_name"), with an optional fallback
 *             for a contact without it ("first_name|zusammen"). Sends through the API pass variables.
 *   twilio_content_sid  optional; the template's id in Twilio's Content API ("HX" + 32 hex digits): a bot
 *             that sends through Twilio sends templates by it (ContentSid + ContentVariables).
 * Unknown keys are refused. A (name, language) pair appears once.
 *
 * Variables (the "text" parameters of the body component): each is cleaned before it is sent or
 * rendered: control characters (C0, DEL, C1, U+2028/U+2029; so newlines and tabs) become spaces, runs of
 * spaces shrink to one (Meta refuses parameters with newlines, tabs or more than four consecutive
 * spaces), leading and trailing spaces go, and the text is cut at TEMPLATE_VAR_MAX characters on a
 * character boundary ⚠ the per-parameter limit is not in api-contracts.md; 1024 is the body limit
 * applied to one parameter. A variable that is empty after cleaning, is not valid UTF-8, or contains
 * "{{" (a nested placeholder) is refused.
 *
 * Threads: a struct templates is immutable after templates_parse and may be shared.
 */
#ifndef BOTWERK_CHANNELS_TEMPLATES_H
#define BOTWERK_CHANNELS_TEMPLATES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define TEMPLATES_MAX 250        /* templates per bot (a WhatsApp Business Account holds about 250) */
#define TEMPLATE_NAME_MAX 512    /* characters */
#define TEMPLATE_BODY_MAX 1024   /* characters of the body text */
#define TEMPLATE_VAR_MAX 1024    /* characters of one variable after cleaning (longer ones are cut) */
#define TEMPLATE_PARAMS_MAX 100  /* placeholders {{1}}..{{100}} */

enum template_category { TEMPLATE_MARKETING, TEMPLATE_UTILITY, TEMPLATE_AUTHENTICATION };

struct template {
	const char *name;               /* points into the registry */
	const char *language;
	const char *body;
	enum template_category category;
	bool approved;
	int params;                     /* n of the placeholders {{1}}..{{n}}; 0 = none */
	const char *vars;               /* "params": what fills {{1}}..{{n}} when the template stands in for a
					 * flow text or a task — "field" or "field|fallback" per placeholder,
					 * joined by '\n'; NULL when not given */
	const char *twilio_content_sid; /* the template's Twilio Content API id (HX…), NULL when none */
};

struct templates; /* opaque, immutable after parse */

/* Validates and copies the template list `list` (NULL or JSON null: an empty registry). Returns the
 * registry, or NULL with "templates[2].name: what to fix" in err (when errlen > 0); NULL with "out of
 * memory" when an allocation fails. */
struct templates *templates_parse(const json_t *list, char *err, size_t errlen);
void templates_free(struct templates *t);

size_t templates_count(const struct templates *t);
/* The i-th template in config order, or NULL when i >= count. */
const struct template *templates_at(const struct templates *t, size_t i);

/* The template `name` in `language`; when there is none and `language` has a region ("de_DE"), the one
 * in its base language ("de"); when `language` is NULL, the first template called `name`. NULL when
 * nothing matches. */
const struct template *templates_find(const struct templates *t, const char *name, const char *language);

/* Cleans one variable (rules above) into out. Returns its length in bytes, or -1 with a reason in err
 * ("is empty", "contains {{", "is not valid UTF-8", or "output buffer too small": out needs
 * strlen(in) + 1 bytes, cleaning never makes text longer). */
int templates_clean_variable(const char *in, char *out, size_t outlen, char *err, size_t errlen);

/* The body of `tpl` with {{k}} replaced by the cleaned vars[k-1]. Exactly tpl->params variables are
 * required. Returns 0 and *out (malloc'd, NUL-terminated, caller frees), or -1 with *out NULL and a
 * message in err ("template appointment_reminder_22h_v1 (de) takes 1 variable, got 2", "variable 2 is
 * empty", "out of memory"). */
int templates_render(const struct template *tpl, const char *const *vars, size_t n, char **out, char *err,
		     size_t errlen);

/* Field checks, usable as json_field check functions. */
bool templates_check_name(const char *s);     /* [a-z0-9_]{1,512} */
bool templates_check_language(const char *s); /* de, de_DE, en_US, fil */

#endif
