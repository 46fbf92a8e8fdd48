/** One reason input was refused, named by field (and by position within a batch). */
export type FieldError = { field: string; message: string; index?: number };
