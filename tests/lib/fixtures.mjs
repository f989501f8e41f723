// Knowledge texts and questions shared by the end-to-end tests: a fictional fitness studio in Hamburg.
// Each section answers one kind of question with a detail (a price, an hour, an address) that only it
// contains, so a test can tell the right passage from a wrong one.

export const FALLBACK = 'Das weiß ich leider nicht – unser Team meldet sich bei Ihnen.';

export const PRICES_TITLE = 'Preise';
export const PRICES_TEXT = `# Preise und Mitgliedschaften

## Basic
Die Basic-Mitgliedschaft kostet 29,90 Euro im Monat bei einer Laufzeit von zwölf Monaten. Enthalten ist das freie Training an allen Geräten.

## Premium
Die Premium-Mitgliedschaft kostet 49,90 Euro im Monat. Sie enthält zusätzlich die Sauna, alle Kurse und ein Getränke-Abo.

## Tageskarte
Eine Tageskarte für Gäste kostet 12 Euro und gilt am Tag des Kaufs.
`;

export const STUDIO_TITLE = 'Studio';
export const STUDIO_TEXT = `# Öffnungszeiten
Unsere Öffnungszeiten: Montag bis Freitag von 6 bis 23 Uhr, am Wochenende von 8 bis 20 Uhr. An Feiertagen ist das Studio geschlossen.

# Anfahrt
Unser Studio finden Sie in der Mühlenkamper Straße 12, 22303 Hamburg. Die Bushaltestelle liegt direkt vor der Tür.

# Kurse
Jeden Dienstag um 18 Uhr findet Rückenfit statt, donnerstags um 19 Uhr Yoga für Einsteiger. Eine Anmeldung ist nicht nötig.
`;

// Questions and a fragment each right answer must contain.
export const Q_PRICE = { q: 'Was kostet die Premium-Mitgliedschaft?', expect: '49,90' };
export const Q_HOURS = { q: 'Was sind eure Oeffnungszeiten am Wochenende?', expect: '8 bis 20 Uhr' };
export const Q_STREET = { q: 'In welcher Strasse liegt euer Studio?', expect: 'Mühlenkamper Straße 12' };
export const Q_UNRELATED = { q: 'Wer hat die Relativitätstheorie entwickelt?' };

export const DE_DEFAULT_FALLBACK = 'Dazu habe ich keine gesicherte Information – ich gebe Ihre Frage an das Team weiter.';

/** Creates a bot with the price and studio texts; returns {bot, prices, studio}. */
export async function seededBot(srv, key, fields = {}) {
  const bot = await srv.createBot(key, { fallback_message: FALLBACK, ...fields });
  const prices = await srv.addText(key, bot.id, PRICES_TITLE, PRICES_TEXT);
  const studio = await srv.addText(key, bot.id, STUDIO_TITLE, STUDIO_TEXT);
  return { bot, prices, studio };
}
