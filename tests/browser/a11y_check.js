// The accessibility check each page of a browser test runs on itself (see a11y.py).
(() => {
  if (window.top !== window) return;
  const {TAGS, IMPACTS, MIN, PHONE} = window.__hzA11yConfig;
  const CONTROLS = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  function name(el) {
    return (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim().slice(0, 30);
  }
  function smallTargets() {
    if (window.innerWidth > PHONE) return [];
    const small = [];
    for (const el of document.querySelectorAll(CONTROLS)) {
      if (el.tagName === 'A' && el.closest('p')) continue;  // a link in a sentence (WCAG's exception)
      const style = getComputedStyle(el);
      let box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden') continue;
      let width = box.width, height = box.height;
      if ((el.type === 'checkbox' || el.type === 'radio') && el.labels) {
        for (const label of el.labels) {  // the label is part of the target: it ticks the box
          const l = label.getBoundingClientRect();
          width = Math.max(width, l.width); height = Math.max(height, l.height);
        }
      }
      if (width < MIN || height < MIN) {
        small.push(`${el.tagName.toLowerCase()} “${name(el)}” ${Math.round(width)}×${Math.round(height)}`);
      }
    }
    return small;
  }
  window.__hzA11y = async () => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: TAGS}, resultTypes: ['violations']});
    const violations = result.violations.filter((v) => IMPACTS.includes(v.impact)).map(
      (v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    const overflow = window.innerWidth <= PHONE
      && document.documentElement.scrollWidth > document.documentElement.clientWidth;
    return {url: location.href, violations, small: smallTargets(),
            overflow: overflow ? document.documentElement.scrollWidth : 0};
  };
  window.addEventListener('load', () => {
    if (document.contentType !== 'text/html') return;
    window.__hzA11y()
      .then((report) => window.hzA11yReport(report))
      .then(() => { window.__hzA11yDone = true; })
      .catch(() => {});
  });
})();
