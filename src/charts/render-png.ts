import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';

/** Regular for labels, bold for titles: the two weights the charts use. */
const FONT_FILES = ['dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'];

let fontPaths: string[] | undefined;

/**
 * The installed DejaVu files, resolved once through the package resolver so that it works from any
 * working directory. resvg draws no text at all without a font, and a server image has no system
 * fonts worth trusting, so the charts bring their own.
 */
function dejaVuFontPaths(): string[] {
  if (!fontPaths) {
    const require = createRequire(import.meta.url);
    fontPaths = FONT_FILES.map((file) => require.resolve(file));
  }
  return fontPaths;
}

/** The SVG as a PNG at the SVG's own size (its width and height attributes), in this process. */
export function renderPng(svg: string): Buffer {
  const renderer = new Resvg(svg, {
    fitTo: { mode: 'original' },
    font: { fontFiles: dejaVuFontPaths(), loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
  });
  return renderer.render().asPng();
}
