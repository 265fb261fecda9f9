export default async function globalTeardown() {
  if (globalThis.__hubEmbedded) await globalThis.__hubEmbedded.stop();
}
