/** The report's own stylesheet: inline, no fonts or images fetched. */
export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}
.meta{color:#555}
.totals span{display:inline-block;padding:.2em .6em;margin:.1em .3em .1em 0;border-radius:3px}
table{border-collapse:collapse}th,td{padding:.15em .5em;text-align:left;border-bottom:1px solid #eee}
#counts td{text-align:right}
.s-ok{background:#d4f4d4}.s-drift,.s-changed{background:#ffe8a8}.s-failed{background:#f8c4c4}
.s-unreachable{background:#e4cdf6}.s-skipped{background:#e6e6e6}.none{color:#999}
.problems pre,.detail pre{white-space:pre-wrap;word-break:break-all;margin:.2em 0 .6em 1em;font-size:12px}
.problems summary{cursor:pointer}
.filters{margin:.6em 0;position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ccc}
.filters label{margin-right:1em}
#matrix th.name button{all:unset;cursor:pointer;font-family:monospace}
#matrix th.name button:focus{outline:2px solid #36c}
#matrix td{font-size:12px}
tr.detail td{background:#fafafa;padding:.5em 1em}
.detail h4{margin:.5em 0 .1em;font-size:13px}
.badge{padding:0 .4em;border-radius:3px;font-weight:normal}
#more{margin:1em 0}
`;
