/**
 * Shown when nothing else can be trusted (invalid configuration): no config, no asset names, no
 * script, static French text only.
 */
export const UNAVAILABLE_PAGE =
  '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Service indisponible – Accès famille</title></head><body><main><h1>Service indisponible</h1><p>Le service est momentanément indisponible. Veuillez réessayer dans quelques minutes.</p></main></body></html>'
