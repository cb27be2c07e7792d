/** A failed action's message under a form (nothing when there is none). */
export function FormError({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className="form-error" role="alert">
      {text}
    </p>
  );
}
