import en from './en.json';
import zhHans from './zh-Hans.json';

/** Message catalogues by language; keys are the English-independent message ids. */
export const catalogues: Record<string, Record<string, string>> = { en, 'zh-hans': zhHans };

export type MessageId = keyof typeof en;

/** The page language, which Django sets on the <html lang> attribute from the user's choice. */
export function pageLanguage(): string {
  return (document.documentElement.lang || 'en').toLowerCase();
}

/**
 * Translate a message id into the page language and fill `{name}` placeholders.
 * Falls back to English when a catalogue lacks the id.
 */
export function t(id: MessageId, params: Record<string, string | number> = {}): string {
  const catalogue = catalogues[pageLanguage()] ?? catalogues.en;
  const template = catalogue[id] ?? en[id] ?? id;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
