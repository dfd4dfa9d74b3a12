// Previews: draws PDFs with pdf.js (loaded only here), and while an office document is being
// converted, checks every few seconds whether its preview is ready. Without this script the
// page offers the download and a "reload" link.
const MAX_PAGES = 50;

function say(el, text) {
  el.textContent = text;
}

// The page's text for screen readers, below the drawn page.
async function pageText(page) {
  try {
    const content = await page.getTextContent();
    return content.items.map((i) => i.str).join(' ').replace(/\s+/g, ' ').trim();
  } catch (_) {
    return '';
  }
}

async function drawPage(pdf, n, into, view) {
  const page = await pdf.getPage(n);
  const width = Math.max(200, into.clientWidth || 800);
  const base = page.getViewport({ scale: 1 });
  const scale = width / base.width;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  const figure = document.createElement('figure');
  figure.className = 'pdf-page';
  const canvas = document.createElement('canvas');
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = '100%';
  canvas.setAttribute('role', 'img');
  const label = view.dataset.pageLabel.replace('{n}', n).replace('{total}', pdf.numPages);
  canvas.setAttribute('aria-label', label);
  figure.appendChild(canvas);
  const text = await pageText(page);
  if (text) {
    const hidden = document.createElement('figcaption');
    hidden.className = 'visually-hidden';
    hidden.textContent = label + ': ' + text;
    figure.appendChild(hidden);
  }
  into.appendChild(figure);
  await page.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise;
  canvas.dataset.drawn = 'true';
}

async function showPdf(view) {
  const status = view.querySelector('.pdf-status');
  const pages = view.querySelector('.pdf-pages');
  say(status, view.dataset.loading);
  try {
    const pdfjs = await import(view.dataset.lib);
    pdfjs.GlobalWorkerOptions.workerSrc = view.dataset.worker;
    const pdf = await pdfjs.getDocument({
      url: view.dataset.pdf,
      isEvalSupported: false,
      enableXfa: false,
    }).promise;
    const shown = Math.min(pdf.numPages, MAX_PAGES);
    let note = pdf.numPages === 1
      ? view.dataset.onePageLabel
      : view.dataset.pagesLabel.replace('{n}', pdf.numPages);
    if (shown < pdf.numPages) note += ' ' + view.dataset.moreLabel.replace('{n}', shown);
    for (let n = 1; n <= shown; n++) {
      await drawPage(pdf, n, pages, view);
    }
    say(status, note);
    view.dataset.ready = 'true';
  } catch (e) {
    say(status, view.dataset.error);
    view.dataset.failed = 'true';
  }
}

// The conversion runs on the server: ask again until the page no longer says "pending".
function waitForConversion(pending) {
  const url = pending.dataset.refresh;
  let tries = 0;
  const timer = setInterval(async () => {
    tries += 1;
    if (tries > 100) {
      clearInterval(timer);
      return;
    }
    try {
      const r = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (!r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      if (!doc.querySelector('.preview-pending')) {
        clearInterval(timer);
        window.location.reload();
      }
    } catch (_) {
      // Offline for a moment: the next round asks again.
    }
  }, 3000);
}

const view = document.querySelector('.pdf-view[data-pdf]');
if (view) showPdf(view);
const pending = document.querySelector('.preview-pending[data-refresh]');
if (pending) waitForConversion(pending);
