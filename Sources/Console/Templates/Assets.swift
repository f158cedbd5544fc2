/// The console's stylesheet and script: small, hand-written, served from this server (the
/// console works offline; the content security policy allows nothing else).
enum Assets {
    static let css = """
        :root { --ink: #16191f; --muted: #5f6b7a; --line: #d5dbdb; --accent: #0972d3; --danger: #d91515; --bg: #f2f3f3; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
        header.top { display: flex; gap: 1.25rem; align-items: center; padding: .6rem 1.25rem; background: #232f3e; color: #fff; flex-wrap: wrap; }
        header.top a { color: #fff; text-decoration: none; }
        header.top a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
        header.top nav { display: flex; gap: 1rem; }
        .brand { font-weight: 700; }
        .identity { margin-left: auto; color: #d1d5db; }
        header.top label { color: #d1d5db; margin-right: .3rem; }
        main { padding: 1.25rem; max-width: 1400px; }
        body.signin main { max-width: 420px; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem 2rem; }
        h1 { font-size: 1.5rem; margin: 0 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #fafafa; font-weight: 600; }
        tr.record td { border-bottom: 1px solid var(--line); background: #fcfcfc; }
        pre.json { white-space: pre-wrap; word-break: break-all; font-size: 12px; margin: .4rem 0; }
        form.stacked, form.filters { display: grid; gap: .35rem; max-width: 420px; background: #fff; padding: 1rem; border: 1px solid var(--line); border-radius: 6px; }
        form.filters { max-width: none; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); align-items: end; }
        input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid #8c8c94; border-radius: 4px; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.danger { background: #fff; color: var(--danger); border-color: var(--danger); }
        header.top button { background: transparent; border-color: #d1d5db; }
        div.actions { display: flex; gap: .4rem; }
        td.name { white-space: nowrap; }
        td.endpoints code { display: block; }
        label.inline { display: flex; gap: .4rem; align-items: center; }
        :focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        .flash { padding: .6rem .8rem; border-radius: 4px; border: 1px solid; }
        .flash.error { background: #fff7f7; border-color: var(--danger); color: #7a0000; }
        .flash.success { background: #f2fcf3; border-color: #037f0c; color: #024d07; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        code { font-size: 12px; }
        """

    static let js = """
        // Switching the region submits its form; nothing else needs script.
        document.addEventListener("DOMContentLoaded", () => {
          for (const select of document.querySelectorAll("select[data-autosubmit]")) {
            select.addEventListener("change", () => select.form.submit());
          }
        });
        """
}
