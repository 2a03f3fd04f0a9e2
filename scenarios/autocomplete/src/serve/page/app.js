// The autocomplete search page: suggestions as you type, from GET /complete.
//
// Three rules keep the list right while typing fast on a slow network:
// 1. Debounce: a request goes out only once typing pauses for DEBOUNCE_MS,
//    so a quickly typed word costs one or two requests, not one per key.
// 2. Cancel: starting a request aborts the one still in flight
//    (AbortController), so the server and the network stop working on it.
// 3. Sequence: every request takes the next number, and an answer is shown
//    only if its number is still the latest; so even an answer that was not
//    cancelled in time can never replace a newer one.
// The input is an ARIA combobox over a listbox of options: ArrowDown/ArrowUp
// move the highlight (aria-activedescendant), Enter picks, Escape closes.
// Plain JS, no build step, nothing loaded from elsewhere; text is only ever
// set with textContent, never parsed as HTML.
'use strict';

(() => {
  const DEBOUNCE_MS = 100;
  const K = 10;

  const form = document.getElementById('search');
  const input = document.getElementById('q');
  const list = document.getElementById('suggestions');
  const fuzzy = document.getElementById('fuzzy');
  const status = document.getElementById('status');
  const chosen = document.getElementById('chosen');

  let timer = 0;        // the pending debounce timer, 0 when none
  let latest = 0;       // number of the latest request (or invalidation)
  let inflight = null;  // AbortController of the request in flight
  let items = [];       // the suggestions in the list
  let active = -1;      // index of the highlighted option, -1 when none

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle('error', isError);
  }

  // Makes every outstanding answer stale and stops the request in flight.
  function invalidate() {
    clearTimeout(timer);
    timer = 0;
    if (inflight) {
      inflight.abort();
      inflight = null;
    }
    latest += 1;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  }

  async function search() {
    invalidate();
    const seq = latest;
    const q = input.value;
    if (q === '') {
      show([]);
      say('');
      return;
    }
    const controller = new AbortController();
    inflight = controller;
    const url = '/complete?' + new URLSearchParams({ q, k: String(K), fuzzy: fuzzy.value });
    let response;
    let body;
    try {
      response = await fetch(url, {
        signal: controller.signal,
        headers: { Accept: 'application/json' },
      });
      body = await response.json();
    } catch (error) {
      // Aborted or superseded requests end here too; only the latest speaks.
      if (seq === latest) {
        inflight = null;
        show([]);
        say(`Search failed: ${error.message}`, true);
      }
      return;
    }
    if (seq !== latest) {
      return; // the answer to an older request: a newer one is on its way
    }
    inflight = null;
    if (!response.ok) {
      show([]);
      say(body && body.error ? body.error : `Search failed: HTTP ${response.status}`, true);
      return;
    }
    show(body.suggestions);
    const n = body.suggestions.length;
    say(n === 0 ? 'No suggestions' : `${n} suggestion${n === 1 ? '' : 's'}`);
  }

  function option(suggestion, index) {
    const li = document.createElement('li');
    li.id = `suggestion-${index}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    li.dataset.index = String(index);
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = suggestion.text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    const typos = suggestion.distance === 1 ? '1 typo · ' : suggestion.distance > 1 ? `${suggestion.distance} typos · ` : '';
    meta.textContent = typos + suggestion.weight.toLocaleString('en');
    li.append(text, meta);
    return li;
  }

  function show(suggestions) {
    items = suggestions;
    active = -1;
    list.replaceChildren(...suggestions.map(option));
    setOpen(suggestions.length > 0);
  }

  function setOpen(open) {
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (!open) {
      highlight(-1);
    }
  }

  function highlight(index) {
    const previous = list.children[active];
    if (previous) {
      previous.setAttribute('aria-selected', 'false');
    }
    active = index;
    const current = list.children[index];
    if (current) {
      current.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function choose(index) {
    const suggestion = items[index];
    if (!suggestion) {
      return;
    }
    invalidate();
    input.value = suggestion.text;
    chosen.value = suggestion.text;
    show([]);
    say(`Chose ${suggestion.text}`);
  }

  input.addEventListener('input', schedule);
  fuzzy.addEventListener('change', search);
  form.addEventListener('submit', (event) => event.preventDefault());

  input.addEventListener('keydown', (event) => {
    const n = items.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (n === 0) {
          return;
        }
        event.preventDefault();
        const down = event.key === 'ArrowDown';
        if (list.hidden) {
          setOpen(true);
          highlight(down ? 0 : n - 1);
        } else if (down) {
          highlight(active + 1 >= n ? 0 : active + 1);
        } else {
          highlight(active <= 0 ? n - 1 : active - 1);
        }
        return;
      }
      case 'Enter':
        event.preventDefault();
        if (!list.hidden && active >= 0) {
          choose(active);
        } else {
          search();
        }
        return;
      case 'Escape':
        event.preventDefault();
        invalidate();
        if (!list.hidden) {
          setOpen(false);
        } else {
          input.value = '';
          show([]);
          say('');
        }
        return;
      default:
    }
  });

  input.addEventListener('blur', () => setOpen(false));
  input.addEventListener('focus', () => setOpen(items.length > 0));
  // Keep the focus in the box when an option is clicked.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const li = event.target.closest('[role="option"]');
    if (li) {
      choose(Number(li.dataset.index));
    }
  });
})();
