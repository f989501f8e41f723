#!/usr/bin/env node
// bench/seed.mjs BASE_URL API_KEY [MIN_CHUNKS]
//
// Creates one bot and fills it with realistic, varied German text about a chain of fitness studios
// (locations, courses, tariffs, trainers, equipment, nutrition, company fitness, FAQ) through the
// management API until the sources report at least MIN_CHUNKS chunks (default 1000) in total.
// Prints the bot id on stdout; progress goes to stderr. Deterministic: the same text on every run.

const [base, key, minArg] = process.argv.slice(2);
if (!base || !key) {
  console.error('usage: bench/seed.mjs BASE_URL API_KEY [MIN_CHUNKS]');
  process.exit(2);
}
const MIN_CHUNKS = Number(minArg || 1000);

// Small deterministic PRNG (mulberry32) so that every run seeds the same knowledge.
let state = 0x5eed2026;
function rnd() {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const euro = (lo, hi) => `${int(lo, hi)},${pick(['00', '50', '90', '95'])} Euro`;
const time = (lo, hi) => `${int(lo, hi)}:${pick(['00', '15', '30', '45'])}`;

const CITIES = {
  Hamburg: ['Altona', 'Eppendorf', 'Barmbek', 'Wandsbek', 'Harburg', 'Ottensen'],
  Berlin: ['Mitte', 'Pankow', 'Neukölln', 'Spandau', 'Friedrichshain', 'Steglitz'],
  München: ['Schwabing', 'Sendling', 'Pasing', 'Giesing', 'Bogenhausen', 'Laim'],
  Köln: ['Ehrenfeld', 'Nippes', 'Deutz', 'Sülz', 'Porz', 'Kalk'],
  Leipzig: ['Plagwitz', 'Gohlis', 'Connewitz', 'Reudnitz', 'Lindenau', 'Schönefeld'],
  Düsseldorf: ['Bilk', 'Oberkassel', 'Flingern', 'Gerresheim', 'Benrath', 'Unterrath'],
};
const STREETS = ['Hauptstraße', 'Bahnhofstraße', 'Lindenallee', 'Mühlenweg', 'Am Stadtpark', 'Schillerstraße',
  'Gartenstraße', 'Kirchplatz', 'Marktstraße', 'Uferweg', 'Goethestraße', 'Industriestraße', 'Rosenstraße'];
const COURSES = ['Yoga', 'Pilates', 'Rückenfit', 'Zumba', 'Indoor Cycling', 'Functional Training', 'Body Pump',
  'Aqua Fitness', 'Kickboxen', 'Mobility', 'Langhantel-Technik', 'Bauch-Beine-Po', 'Tai Chi', 'HIIT',
  'Faszientraining', 'Seniorenfitness', 'Crosstraining', 'Stretching', 'Kettlebell', 'Lauftreff'];
const WEEKDAYS = ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'];
const FIRST = ['Anna', 'Jonas', 'Lea', 'Felix', 'Marie', 'Paul', 'Sophie', 'Lukas', 'Emma', 'Ben', 'Mia', 'Elias',
  'Hannah', 'Noah', 'Lina', 'Tim', 'Clara', 'David', 'Greta', 'Moritz', 'Ida', 'Finn', 'Nele', 'Tom'];
const LAST = ['Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch',
  'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Braun', 'Zimmermann', 'Krüger', 'Hartmann'];
const QUALI = ['B-Lizenz Fitnesstrainer', 'A-Lizenz Fitnesstrainer', 'Physiotherapeutin', 'Sportwissenschaftler (M.Sc.)',
  'Yogalehrerin (500 Stunden)', 'Ernährungsberater IHK', 'Reha-Trainer', 'Personal Trainer DFLV', 'Pilates-Instruktorin'];
const DEVICES = ['Beinpresse', 'Latzug', 'Rudergerät', 'Crosstrainer', 'Laufband', 'Kabelzug', 'Butterfly',
  'Hackenschmidt-Maschine', 'Rückenstrecker', 'Bauchtrainer', 'Multipresse', 'Adduktorenmaschine', 'Ergometer',
  'Stepper', 'Dip-Station', 'Schrägbank', 'Beinbeuger', 'Wadenmaschine', 'Schulterpresse', 'Bizepsmaschine'];
const MUSCLES = ['Oberschenkel', 'Gesäß', 'oberer Rücken', 'unterer Rücken', 'Brust', 'Schultern', 'Bizeps',
  'Trizeps', 'Bauchmuskeln', 'Waden', 'Core-Muskulatur', 'Hüftbeuger'];
const FOODS = ['Haferflocken', 'Quark', 'Linsen', 'Kichererbsen', 'Lachs', 'Vollkornbrot', 'Nüsse', 'Eier',
  'Süßkartoffeln', 'Beeren', 'Brokkoli', 'Naturjoghurt', 'Tofu', 'Bananen', 'Reis', 'Hähnchenbrust'];
const COMPANIES = ['Nordlicht Logistik GmbH', 'Brückner Maschinenbau AG', 'Stadtwerke Elbtal', 'Kanzlei Vogt & Partner',
  'Sonnenhof Pflegedienst', 'Pixelwerk Agentur', 'Bäckerei Hansen KG', 'Autohaus Lorenz', 'Hafenbank eG',
  'Grünwald Immobilien', 'Medizintechnik Albers', 'Versicherungsbüro Peters'];
const TARIFFS = ['Basic', 'Comfort', 'Premium', 'Flex', 'Student', 'Senior', 'Familie', 'Day Pass', 'Wellness Plus', 'Young Athletes'];
const FAQS = [
  ['Kann ich meine Mitgliedschaft pausieren?', 'Bei Krankheit, Schwangerschaft oder längeren Auslandsaufenthalten pausieren wir die Mitgliedschaft gegen Vorlage eines Nachweises. Die Laufzeit verlängert sich um die Pausenzeit.'],
  ['Wie kündige ich meinen Vertrag?', 'Eine Kündigung ist schriftlich per Brief oder über das Kündigungsformular auf der Website möglich. Sie erhalten innerhalb von drei Werktagen eine Bestätigung per E-Mail.'],
  ['Gibt es ein Probetraining?', 'Ja, jedes Studio bietet ein kostenloses Probetraining mit Geräteeinweisung an. Bitte vereinbaren Sie dafür einen Termin am Empfang oder telefonisch.'],
  ['Darf ich Freunde mitbringen?', 'Mitglieder mit Premium-Tarif dürfen einmal im Monat eine Begleitperson kostenlos mitbringen. Alle anderen Gäste lösen eine Tageskarte.'],
  ['Gibt es Handtücher vor Ort?', 'Handtücher können am Empfang ausgeliehen werden. Aus hygienischen Gründen ist beim Training an den Geräten ein eigenes Handtuch Pflicht.'],
  ['Wie funktioniert der Check-in?', 'Der Check-in erfolgt mit der Mitgliedskarte oder dem QR-Code in der App am Drehkreuz. Bei Problemen hilft das Team am Empfang weiter.'],
  ['Zahlt die Krankenkasse einen Zuschuss?', 'Viele gesetzliche Krankenkassen bezuschussen zertifizierte Präventionskurse nach Paragraf 20 SGB V. Eine Teilnahmebescheinigung stellen wir nach Kursende aus.'],
  ['Ist das Studio barrierefrei?', 'Die meisten Standorte sind über einen Aufzug oder eine Rampe erreichbar und verfügen über eine barrierefreie Umkleide. Details nennen wir gerne auf Anfrage.'],
  ['Kann ich den Tarif wechseln?', 'Ein Wechsel in einen höheren Tarif ist jederzeit zum Monatsersten möglich. Ein Wechsel in einen günstigeren Tarif ist zum Ende der Mindestlaufzeit möglich.'],
  ['Gibt es Kinderbetreuung?', 'An ausgewählten Standorten betreuen pädagogische Fachkräfte Kinder ab drei Jahren vormittags während des Trainings der Eltern.'],
];

let serial = 0;

function location(city) {
  const d = pick(CITIES[city]);
  const n = ++serial;
  return `## Standort ${city}-${d} (Filiale ${n})\n\n` +
    `Unser Studio in ${city}-${d} finden Sie in der ${pick(STREETS)} ${int(1, 180)}. ` +
    `Montag bis Freitag ist von ${time(5, 8)} bis ${time(21, 23)} Uhr geöffnet, am Wochenende von ${time(7, 10)} bis ${time(17, 21)} Uhr. ` +
    `Auf ${int(400, 2500)} Quadratmetern stehen ${int(40, 160)} Geräte, ${int(1, 4)} Kursräume und ${pick(['eine finnische Sauna', 'eine Dampfsauna', 'ein Außenbereich für Functional Training', 'ein Cardio-Bereich mit Blick ins Grüne'])} bereit. ` +
    `${pick(['Kostenlose Parkplätze gibt es im Hof.', 'Die nächste U-Bahn-Station ist in fünf Minuten zu Fuß erreichbar.', 'Fahrräder können im überdachten Ständer abgestellt werden.', 'Im Parkhaus gegenüber parken Mitglieder zwei Stunden kostenlos.'])} ` +
    `Die Studioleitung hat ${pick(FIRST)} ${pick(LAST)}, erreichbar unter der Durchwahl ${int(100, 999)}.`;
}

function course() {
  const c = pick(COURSES);
  const day = pick(WEEKDAYS);
  const n = ++serial;
  return `## Kurs ${c} am ${day} (Kursnummer ${n})\n\n` +
    `Der Kurs ${c} beginnt am ${day} um ${time(7, 20)} Uhr und dauert ${pick([30, 45, 50, 60, 75, 90])} Minuten. ` +
    `Er richtet sich an ${pick(['Einsteigerinnen und Einsteiger', 'Fortgeschrittene', 'alle Leistungsstufen', 'Menschen mit Rückenbeschwerden', 'Sportlerinnen und Sportler in der Wettkampfvorbereitung'])}. ` +
    `Geleitet wird er von ${pick(FIRST)} ${pick(LAST)} im Kursraum ${int(1, 4)}; maximal ${int(8, 30)} Personen nehmen teil. ` +
    `${pick(['Bitte bringen Sie eine eigene Matte mit.', 'Matten und Kleingeräte stellt das Studio.', 'Eine Anmeldung in der App ist bis zwei Stunden vorher nötig.', 'Der Kurs ist im Premium-Tarif enthalten, sonst kostet er 8 Euro pro Termin.'])} ` +
    `Schwerpunkt sind ${pick(MUSCLES)} und ${pick(MUSCLES)}, dazu kommen Übungen für Gleichgewicht und Atmung.`;
}

function tariff() {
  const t = pick(TARIFFS);
  const months = pick([1, 6, 12, 24]);
  const n = ++serial;
  return `## Tarif ${t} mit ${months} Monaten Laufzeit (Angebot ${n})\n\n` +
    `Der Tarif ${t} kostet ${euro(15, 89)} im Monat bei einer Mindestlaufzeit von ${months} ${months === 1 ? 'Monat' : 'Monaten'}. ` +
    `Einmalig fällt eine Servicepauschale von ${euro(0, 39)} an. ` +
    `Enthalten sind ${pick(['das freie Training an allen Geräten', 'alle Kurse und die Sauna', 'Training an allen Standorten bundesweit', 'ein monatlicher Trainingsplan-Check', 'Getränke-Flatrate und Handtuchservice'])}. ` +
    `Die Kündigungsfrist beträgt ${pick(['vier Wochen', 'einen Monat', 'drei Monate', 'zwei Wochen'])} zum Laufzeitende; danach verlängert sich der Vertrag ${pick(['monatlich', 'um jeweils sechs Monate', 'auf unbestimmte Zeit mit einem Monat Kündigungsfrist'])}. ` +
    `${pick(['Studierende erhalten gegen Nachweis 20 Prozent Rabatt.', 'Für Familien gibt es ab dem zweiten Mitglied 10 Euro Nachlass.', 'Im ersten Monat trainieren Sie zum halben Preis.', 'Eine Sonderkündigung bei Umzug ist möglich.'])}`;
}

function trainer() {
  const name = `${pick(FIRST)} ${pick(LAST)}`;
  const n = ++serial;
  return `## Team: ${name} (Trainerprofil ${n})\n\n` +
    `${name} arbeitet seit ${int(1, 18)} Jahren bei uns und ist ${pick(QUALI)}. ` +
    `Die Schwerpunkte liegen bei ${pick(COURSES)} und gezieltem Training für ${pick(MUSCLES)}. ` +
    `${pick(['Personal Training ist dienstags und donnerstags buchbar.', 'Sprechstunde für Trainingspläne ist jeden Mittwochnachmittag.', 'Besonders gefragt sind die Einführungen für Wiedereinsteiger.', 'Außerdem betreut das Team die Lauftreffs am Wochenende.'])} ` +
    `Eine Einheit Personal Training kostet ${euro(45, 95)} für ${pick([45, 60])} Minuten.`;
}

function device() {
  const d = pick(DEVICES);
  const n = ++serial;
  return `## Gerät ${d} (Anleitung ${n})\n\n` +
    `An der ${d} trainieren Sie vor allem ${pick(MUSCLES)} und ${pick(MUSCLES)}. ` +
    `Stellen Sie Sitz und Polster so ein, dass ${pick(['die Drehachse des Gelenks mit der Achse des Geräts übereinstimmt', 'die Füße flach auf der Plattform stehen', 'der Rücken vollständig an der Lehne anliegt', 'die Griffe auf Schulterhöhe liegen'])}. ` +
    `Empfohlen sind ${int(2, 4)} Sätze mit ${int(8, 15)} Wiederholungen und ${int(60, 120)} Sekunden Pause. ` +
    `${pick(['Atmen Sie bei der Belastung aus.', 'Vermeiden Sie ruckartige Bewegungen.', 'Das Gewicht sollte am Ende jedes Satzes kontrolliert abgesetzt werden.', 'Bei Knieproblemen sprechen Sie bitte vorher mit dem Trainerteam.'])} ` +
    `Die ${d} steht in Zone ${pick(['A', 'B', 'C', 'D'])} neben ${pick(DEVICES)}.`;
}

function nutrition() {
  const f1 = pick(FOODS);
  const f2 = pick(FOODS);
  const n = ++serial;
  return `## Ernährungstipp ${n}: ${f1} und ${f2}\n\n` +
    `${f1} liefert ${pick(['komplexe Kohlenhydrate', 'hochwertiges Eiweiß', 'Ballaststoffe', 'ungesättigte Fettsäuren', 'Vitamine und Mineralstoffe'])} und passt gut ${pick(['zum Frühstück', 'nach dem Training', 'in die Mittagspause', 'zum Abendessen'])}. ` +
    `Kombiniert mit ${f2} entsteht eine Mahlzeit mit rund ${int(15, 45)} Gramm Eiweiß und ${int(250, 700)} Kilokalorien. ` +
    `${pick(['Trinken Sie über den Tag verteilt zwei bis drei Liter Wasser.', 'Achten Sie auf ausreichend Schlaf, damit sich die Muskulatur erholt.', 'Unsere Ernährungsberatung erstellt auf Wunsch einen individuellen Plan.', 'Zucker versteckt sich oft in Fertigprodukten und Getränken.'])}`;
}

function corporate() {
  const c = pick(COMPANIES);
  const n = ++serial;
  return `## Firmenfitness: ${c} (Vertrag ${n})\n\n` +
    `Mitarbeitende der ${c} trainieren zum Firmentarif von ${euro(9, 35)} im Monat; der Arbeitgeber übernimmt ${int(20, 80)} Prozent. ` +
    `Die Anmeldung läuft über ${pick(['die Personalabteilung', 'das Intranet', 'einen Code am Empfang', 'die Firmenfitness-Plattform'])}. ` +
    `Einmal im Quartal findet ein Gesundheitstag mit ${pick(['Rückenscreening', 'Blutdruckmessung', 'Ernährungsvortrag', 'Stressmanagement-Workshop'])} statt.`;
}

function faq() {
  const [q, a] = pick(FAQS);
  const n = ++serial;
  return `## ${q} (Hinweis ${n})\n\n${a} Stand der Information: ${int(1, 28)}.${int(1, 12)}.2026, Hinweisnummer ${n}.`;
}

const GENERATORS = [course, tariff, trainer, device, nutrition, corporate, faq];

function document(city, sections) {
  const parts = [`# FitWerk ${city}: Wissen für den Chat`];
  for (let i = 0; i < sections; i++) parts.push(i % 8 === 0 ? location(city) : pick(GENERATORS)());
  return parts.join('\n\n') + '\n';
}

async function api(method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`);
  return JSON.parse(text);
}

const bot = await api('POST', '/api/v1/bots', {
  name: 'FitWerk Benchmark',
  description: 'Fitnessstudio-Kette mit Standorten in sechs Städten',
  response_style: 'friendly',
});
let total = 0;
let chars = 0;
let sources = 0;
const cities = Object.keys(CITIES);
for (let i = 0; total < MIN_CHUNKS; i++) {
  if (i >= 200) throw new Error(`still only ${total} chunks after ${i} sources`);
  const city = cities[i % cities.length];
  const text = document(city, 60);
  const s = await api('POST', `/api/v1/bots/${bot.id}/sources`, { kind: 'text', title: `FitWerk ${city} Teil ${Math.floor(i / cities.length) + 1}`, text });
  if (s.status !== 'done' || !(s.chunks > 0)) throw new Error(`source not indexed: ${JSON.stringify(s)}`);
  total += s.chunks;
  chars += s.chars;
  sources++;
}
// Cross-check with the listing: the chunk counts the server reports add up.
let listed = 0;
let cursor = null;
do {
  const page = await api('GET', `/api/v1/bots/${bot.id}/sources?limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
  for (const s of page.items) listed += s.chunks;
  cursor = page.next_cursor;
} while (cursor);
if (listed !== total) throw new Error(`listing reports ${listed} chunks, creates reported ${total}`);
if (total < MIN_CHUNKS) throw new Error(`only ${total} chunks`);
console.error(`seeded bot ${bot.id}: ${sources} sources, ${chars} characters, ${total} chunks`);
console.log(bot.id);
