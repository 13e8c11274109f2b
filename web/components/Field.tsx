import type { InputHTMLAttributes, ReactNode } from "react";

// A labelled form control: the label names the control by its id (htmlFor), the classes are the
// app's field-label and field (globals.css).

function Labelled({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children}
    </div>
  );
}

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "className" | "value" | "onChange"
>;

export function TextField({
  id,
  label,
  value,
  onValue,
  mono = false,
  children,
  ...input
}: InputProps & {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  mono?: boolean; // a key or other machine text: a monospaced font
  children?: ReactNode; // help text under the control (aria-describedby names it)
}) {
  return (
    <Labelled id={id} label={label}>
      <input
        id={id}
        className={mono ? "field font-mono" : "field"}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        {...input}
      />
      {children}
    </Labelled>
  );
}

// the sign-in and register forms' email (the browser's password manager's "username")
export function EmailField({
  value,
  onValue,
}: {
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <TextField
      id="email"
      label="Email"
      type="email"
      autoComplete="username"
      required
      value={value}
      onValue={onValue}
    />
  );
}

// a password the browser may fill in (autoComplete current-password) or save (new-password)
export function PasswordField({
  id,
  autoComplete,
  value,
  onValue,
  ...input
}: Omit<InputProps, "type" | "required"> & {
  id: string;
  autoComplete: "current-password" | "new-password";
  value: string;
  onValue: (value: string) => void;
  children?: ReactNode;
}) {
  return (
    <TextField
      id={id}
      label="Password"
      type="password"
      autoComplete={autoComplete}
      required
      value={value}
      onValue={onValue}
      {...input}
    />
  );
}

export interface Option<V extends string> {
  value: V;
  label: string;
}

export function SelectField<V extends string>({
  id,
  label,
  value,
  options,
  onValue,
}: {
  id: string;
  label: string;
  value: V;
  options: readonly Option<V>[];
  onValue: (value: V) => void;
}) {
  return (
    <Labelled id={id} label={label}>
      <select
        id={id}
        className="field"
        value={value}
        onChange={(e) => onValue(e.target.value as V)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Labelled>
  );
}
