// A list table's header row: one column per entry ('' for an unnamed column, e.g. actions; a
// `[name, title]` pair for a column with a tooltip).
export type Column = string | readonly [name: string, title: string];

export function TableHead(props: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((column) =>
          typeof column !== 'string' ? <th title={column[1]}>{column[0]}</th> : column ? <th>{column}</th> : <th />,
        )}
      </tr>
    </thead>
  );
}
