// A labelled one-line text input bound to a string state.

export function TextField(props: { label: string; value: string; onInput(value: string): void; required?: boolean; placeholder?: string }) {
  return (
    <label>
      {props.label}
      <input required={props.required} value={props.value} onInput={(event) => props.onInput(event.currentTarget.value)} placeholder={props.placeholder} />
    </label>
  );
}
