// DOM updates that change only what changed, so a refresh every second neither flickers nor steals
// focus from a button, nor resets a row the user is looking at.

/** Sets an element's text when it differs (by id, or the element itself). */
export function text(target, value) {
  const el = typeof target === 'string' ? document.getElementById(target) : target;
  const v = value === null || value === undefined ? '' : String(value);
  if (el && el.textContent !== v) {
    el.textContent = v;
  }
}

/**
 * Brings a table's body in line with `items`: one row per item, keyed by `key(item)` (kept in
 * `data-key`), in the order given. `columns` is a list of {name, value(item), num?} for text cells
 * (the first one a row header); `action(cell)` (optional) fills a last cell once, when the row is
 * created; the cell finds the current item in `cell.item`, and its `update(item)`, if it sets one,
 * is called on every refresh. Rows of items that are gone are removed.
 */
export function table(tableId, items, key, columns, action) {
  const tableEl = document.getElementById(tableId);
  const body = tableEl.tBodies[0];
  const existing = new Map();
  for (const row of body.rows) {
    existing.set(row.dataset.key, row);
  }
  let previous = null;
  for (const item of items) {
    const k = key(item);
    let row = existing.get(k);
    if (row) {
      existing.delete(k);
    } else {
      row = createRow(k, columns, action, item);
    }
    columns.forEach((c, i) => text(row.cells[i], c.value(item)));
    if (action) {
      const cell = row.cells[columns.length];
      cell.item = item;
      if (cell.update) {
        cell.update(item);
      }
    }
    const wanted = previous ? previous.nextSibling : body.firstChild;
    if (wanted !== row) {
      body.insertBefore(row, wanted);
    }
    previous = row;
  }
  for (const row of existing.values()) {
    row.remove();
  }
  const empty = document.querySelector(`.empty[data-for="${tableId}"]`);
  if (empty) {
    empty.hidden = items.length > 0;
  }
  tableEl.hidden = items.length === 0;
}

function createRow(k, columns, action, item) {
  const row = document.createElement('tr');
  row.dataset.key = k;
  columns.forEach((c, i) => {
    // The first column names the row: a row header for screen readers.
    const cell = document.createElement(i === 0 ? 'th' : 'td');
    if (i === 0) {
      cell.scope = 'row';
    }
    cell.className = c.num ? `${c.name} num` : c.name;
    row.appendChild(cell);
  });
  if (action) {
    const cell = document.createElement('td');
    cell.className = 'action';
    cell.item = item;
    action(cell);
    row.appendChild(cell);
  }
  return row;
}

/** Shows `message` in an inline error line, or clears it. */
export function error(id, message) {
  text(id, message || '');
}
