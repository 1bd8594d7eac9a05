// Records a diagram of the page as a video for slides: loaded on demand by the `record-clip` button
// (crates/web/src/components/record_clip.rs), never on the first load.
//
// The diagrams are HTML and CSS, which a MediaRecorder cannot capture directly, so each frame is drawn
// onto a canvas: the element is serialized with the page's stylesheets into an SVG <foreignObject>,
// loaded as an image and painted; the canvas's stream is what MediaRecorder encodes (WebM with VP9 or
// VP8 where the browser has it, else whatever video type it offers). A frame is drawn when the last one
// is done, at most FPS a second, so a large diagram gives fewer frames rather than a slower page.

const FPS = 12;

/** The page's own CSS rules, as text (a stylesheet from elsewhere cannot be read and is skipped). */
function pageCss() {
  const rules = [];
  for (const sheet of document.styleSheets) {
    try {
      for (const rule of sheet.cssRules) rules.push(rule.cssText);
    } catch {
      // A cross-origin sheet: its rules are not ours to read.
    }
  }
  return rules.join('\n');
}

/** The colour scheme the page shows now: the theme button's choice, else the system's. */
function scheme() {
  const forced = document.documentElement.dataset.theme;
  if (forced === 'light' || forced === 'dark') return forced;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The first video type this browser's MediaRecorder can write. */
function videoType() {
  const types = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4'];
  return types.find((type) => MediaRecorder.isTypeSupported(type)) ?? '';
}

/** Paints `element` as it is now onto `context` (width × height CSS pixels, `scale` device pixels each). */
function paint(element, css, width, height, scale, context) {
  const body = new XMLSerializer().serializeToString(element);
  const background = getComputedStyle(document.body).backgroundColor;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`
    + `<style><![CDATA[${css.replaceAll(']]>', ']]]]><![CDATA[>')}]]></style>`
    + `<foreignObject x="0" y="0" width="100%" height="100%">`
    + `<div xmlns="http://www.w3.org/1999/xhtml" class="app" style="color-scheme: ${scheme()}; `
    + `background: ${background}; width: ${width}px; padding: 0; margin: 0">${body}</div>`
    + `</foreignObject></svg>`;
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      context.setTransform(scale, 0, 0, scale, 0, 0);
      context.fillStyle = background;
      context.fillRect(0, 0, width, height);
      context.drawImage(image, 0, 0);
      resolve();
    };
    image.onerror = () => reject(new Error('the diagram could not be drawn as an image'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}

/**
 * Starts recording `element` for at most `maxSeconds`. `report(kind, detail)` is told `progress` with the
 * seconds recorded, then `done` with the video as a Blob or `error` with a message for people. Returns a
 * function that stops the recording early.
 */
export function recordClip(element, maxSeconds, report) {
  if (typeof MediaRecorder === 'undefined' || !HTMLCanvasElement.prototype.captureStream) {
    report('error', 'This browser cannot record video (it has no MediaRecorder).');
    return () => {};
  }
  const rect = element.getBoundingClientRect();
  const width = Math.max(1, Math.ceil(rect.width));
  const height = Math.max(1, Math.ceil(rect.height));
  const scale = Math.min(2, window.devicePixelRatio || 1);
  const canvas = document.createElement('canvas');
  // Even sizes: video encoders want them.
  canvas.width = Math.ceil((width * scale) / 2) * 2;
  canvas.height = Math.ceil((height * scale) / 2) * 2;
  const context = canvas.getContext('2d');
  const css = pageCss();
  const type = videoType();
  let recorder;
  try {
    recorder = new MediaRecorder(canvas.captureStream(FPS), type ? { mimeType: type } : {});
  } catch (error) {
    report('error', `This browser cannot record this diagram (${error.message}).`);
    return () => {};
  }
  const chunks = [];
  const started = performance.now();
  let stopped = false;
  let failed = false;
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  };
  recorder.onstop = () => {
    if (!failed) report('done', new Blob(chunks, { type: recorder.mimeType || type || 'video/webm' }));
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (recorder.state !== 'inactive') recorder.stop();
  };
  const frame = async () => {
    if (stopped) return;
    const began = performance.now();
    try {
      await paint(element, css, width, height, scale, context);
    } catch (error) {
      if (!stopped) {
        failed = true;
        report('error', `Recording stopped: ${error.message}.`);
        stop();
      }
      return;
    }
    // Stopped while painting: the clip is being saved, and nothing more is reported after that.
    if (stopped) return;
    const seconds = (performance.now() - started) / 1000;
    report('progress', seconds);
    if (seconds >= maxSeconds) {
      stop();
      return;
    }
    setTimeout(frame, Math.max(0, 1000 / FPS - (performance.now() - began)));
  };
  // The first frame is on the canvas before the recorder starts, so the video never opens blank.
  paint(element, css, width, height, scale, context)
    .then(() => {
      recorder.start(1000);
      frame();
    })
    .catch((error) => report('error', `The diagram could not be recorded: ${error.message}.`));
  return stop;
}
