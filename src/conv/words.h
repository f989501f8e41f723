/*
 * words.h — a visitor's message as lower-case ASCII words, for the cue-word checks of the conversation
 * layer (business facts, email-capture topics): ä→ae, ö→oe, ü→ue, ß→ss (upper case too), digits kept, a
 * hyphen kept inside a word ("e-mail"), anything else separates words. Not for retrieval (rag/terms.h
 * stems with ICU); this only has to make "Öffnungszeiten" and "Oeffnungszeiten" the same word.
 */
#ifndef BOTWERK_CONV_WORDS_H
#define BOTWERK_CONV_WORDS_H

#define WORDS_MAX 48 /* words looked at; the rest are ignored */
#define WORD_MAX 40  /* bytes of a folded word, NUL included; longer words are cut */

/* Splits and folds `text`; returns the number of words written. */
int words_fold(const char *text, char words[WORDS_MAX][WORD_MAX]);

#endif
