/* Optional accelerator of `repartition.runtime`: read the common shapes of a household's values,
and make Decisions.

A Reader reads a plain dict against a charter's fields and returns (values, assumed), or None as
soon as one value is not of a shape it knows (or when it assumed a default and the dict has keys
the charter does not declare), and then the generated Python reading takes over and decides
(learns the spelling, checks the keys, or raises the French error). It reads a subset of what the
Python reading accepts, and reads it the same way: tests/test_speedups.py checks both on
generated values. Without a C compiler the package runs on the Python reading alone.

recorder(Decision, names) gives a function making a Decision from its five items, as
Decision.__init__ does, at the cost of an allocation: routing makes one per household.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stddef.h>

enum { LOOKUP = 0, WHOLE = 1, MONEY = 2 };

/* Amounts are at most 999 999 999 999,99 € (values.MONEY_LIMIT); below this many euros a float
   reads through the round trip as its shortest decimal form (values.FLOAT_EXACT_LIMIT). */
#define FLOAT_EXACT_LIMIT 1e12
#define MAX_EUROS 999999999999LL
/* At most this many digits before the decimal separator (leading zeros included): within
   MAX_EUROS, and never an overflow. Longer texts are read in Python. */
#define MAX_UNITS_DIGITS 12

typedef struct {
    PyObject *key;         /* the field's machine name */
    PyObject *memo;        /* raw value -> reading, shared with the generated Python code */
    PyObject *fallback;    /* the reading of an absent field, or NULL: an absent field is a miss */
    int kind;
    int may_be_unknown;    /* None reads as unknown (WHOLE and MONEY; LOOKUP memos know None) */
    int has_minimum, has_maximum;
    long long minimum, maximum;
} Field;

typedef struct {
    PyObject_VAR_HEAD
    vectorcallfunc vectorcall;
    Field fields[1];
} Reader;

/* Returned by the readings below when the Python reading must decide; never dereferenced. */
static char miss_marker;
#define MISS ((PyObject *)&miss_marker)

static int in_bounds(const Field *f, long long value) {
    return (!f->has_minimum || value >= f->minimum) && (!f->has_maximum || value <= f->maximum);
}

/* Values of the types JSON and CSV give: comparing them with the memo's keys runs no Python code. */
static int is_plain(PyObject *raw) {
    return PyUnicode_CheckExact(raw) || raw == Py_None || PyBool_Check(raw) || PyLong_CheckExact(raw)
        || PyFloat_CheckExact(raw);
}

/* A new reference to the memo's reading of raw, or MISS when the memo does not know it. */
static PyObject *memo_lookup(const Field *f, PyObject *raw) {
    if (!is_plain(raw))
        return MISS;
    PyObject *value = PyDict_GetItemWithError(f->memo, raw);
    if (value == NULL)
        return MISS;  /* not there (a plain value's hash and comparisons cannot fail) */
    return Py_NewRef(value);
}

static PyObject *read_whole(const Field *f, PyObject *raw) {
    if (PyLong_CheckExact(raw)) {  /* exact: a bool is no number */
        int overflow;
        long long value = PyLong_AsLongLongAndOverflow(raw, &overflow);
        if (overflow || (value == -1 && PyErr_Occurred()) || !in_bounds(f, value)) {
            PyErr_Clear();
            return MISS;
        }
        Py_INCREF(raw);
        return raw;
    }
    if (PyUnicode_CheckExact(raw))
        return memo_lookup(f, raw);
    return MISS;
}

/* "1234", "1234.5", "1234,56": digits, then one separator and one or two digits. */
static PyObject *read_money_text(const Field *f, PyObject *raw) {
    if (!PyUnicode_IS_ASCII(raw))
        return memo_lookup(f, raw);
    const char *text = (const char *)PyUnicode_DATA(raw);
    Py_ssize_t length = PyUnicode_GET_LENGTH(raw), i = 0;
    long long units = 0, decimals = 0;
    for (; i < length && text[i] >= '0' && text[i] <= '9'; i++) {
        if (i == MAX_UNITS_DIGITS)
            return memo_lookup(f, raw);
        units = units * 10 + (text[i] - '0');
    }
    if (i == 0)
        return memo_lookup(f, raw);
    if (i < length) {
        Py_ssize_t count = length - i - 1;
        if ((text[i] != '.' && text[i] != ',') || count < 1 || count > 2)
            return memo_lookup(f, raw);
        for (Py_ssize_t j = i + 1; j < length; j++) {
            if (text[j] < '0' || text[j] > '9')
                return memo_lookup(f, raw);
            decimals = decimals * 10 + (text[j] - '0');
        }
        if (count == 1)
            decimals *= 10;
    }
    long long cents = units * 100 + decimals;
    return in_bounds(f, cents) ? PyLong_FromLongLong(cents) : MISS;
}

static PyObject *read_money(const Field *f, PyObject *raw) {
    if (PyFloat_CheckExact(raw)) {  /* a JSON number, as values.read_money reads it */
        double number = PyFloat_AS_DOUBLE(raw);
        if (!(number > -FLOAT_EXACT_LIMIT && number < FLOAT_EXACT_LIMIT))  /* NaN too */
            return MISS;
        /* Any rounding of number * 100 does: the round trip below keeps only exact cents. */
        long long cents = (long long)(number * 100 + (number < 0 ? -0.5 : 0.5));
        if ((double)cents / 100 != number || !in_bounds(f, cents))
            return MISS;
        return PyLong_FromLongLong(cents);
    }
    if (PyLong_CheckExact(raw)) {
        int overflow;
        long long euros = PyLong_AsLongLongAndOverflow(raw, &overflow);
        if (overflow || euros > MAX_EUROS || euros < -MAX_EUROS || !in_bounds(f, euros * 100)) {
            PyErr_Clear();
            return MISS;
        }
        return PyLong_FromLongLong(euros * 100);
    }
    if (PyUnicode_CheckExact(raw))
        return read_money_text(f, raw);
    return MISS;
}

static PyObject *read_value(const Field *f, PyObject *raw) {
    if (f->kind == LOOKUP)
        return memo_lookup(f, raw);
    if (raw == Py_None)
        return f->may_be_unknown ? Py_NewRef(Py_None) : MISS;
    return f->kind == WHOLE ? read_whole(f, raw) : read_money(f, raw);
}

static PyObject *reader_call(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    Reader *self = (Reader *)callable;
    if (PyVectorcall_NARGS(nargsf) != 1 || kwnames != NULL) {
        PyErr_SetString(PyExc_TypeError, "Reader takes one household");
        return NULL;
    }
    PyObject *household = args[0];
    if (!PyDict_CheckExact(household))  /* other mappings may compute their items: Python reads them */
        Py_RETURN_NONE;
    Py_ssize_t n = Py_SIZE(self);
    PyObject *values = PyTuple_New(n), *assumed = NULL;
    if (values == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Field *f = &self->fields[i];
        PyObject *raw = PyDict_GetItemWithError(household, f->key), *value;
        if (raw == NULL) {
            if (PyErr_Occurred() || f->fallback == NULL)
                goto miss;
            if (assumed == NULL && (assumed = PyList_New(0)) == NULL)
                goto error;
            if (PyList_Append(assumed, f->key) < 0)
                goto error;
            value = Py_NewRef(f->fallback);
        } else if ((value = read_value(f, raw)) == MISS) {
            goto miss;
        } else if (value == NULL) {
            goto error;
        }
        PyTuple_SET_ITEM(values, i, value);
    }
    /* A default was assumed and the household has other keys: one of them may be a misspelt field,
       which the Python reading checks (repartition.keys). */
    if (assumed != NULL && PyDict_GET_SIZE(household) + PyList_GET_SIZE(assumed) != n)
        goto miss;
    PyObject *names = assumed == NULL ? PyTuple_New(0) : PyList_AsTuple(assumed);
    Py_XDECREF(assumed);
    if (names == NULL) {
        Py_DECREF(values);
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, values, names);
    Py_DECREF(values);
    Py_DECREF(names);
    return result;
miss:
    PyErr_Clear();
    Py_DECREF(values);
    Py_XDECREF(assumed);
    Py_RETURN_NONE;
error:
    Py_DECREF(values);
    Py_XDECREF(assumed);
    return NULL;
}

static void reader_dealloc(Reader *self) {
    for (Py_ssize_t i = 0; i < Py_SIZE(self); i++) {
        Py_XDECREF(self->fields[i].key);
        Py_XDECREF(self->fields[i].memo);
        Py_XDECREF(self->fields[i].fallback);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *reader_tp_call(PyObject *self, PyObject *args, PyObject *kwargs) {
    return PyVectorcall_Call(self, args, kwargs);
}

static PyTypeObject ReaderType;

/* A bound beyond 64 bits is as good as none: no value read here comes near it. */
static int read_bound(PyObject *bound, int *has, long long *value) {
    *has = 0;
    if (bound == Py_None)
        return 0;
    int overflow;
    long long number = PyLong_AsLongLongAndOverflow(bound, &overflow);
    if (number == -1 && PyErr_Occurred())
        return -1;
    *has = !overflow;
    *value = number;
    return 0;
}

static int read_kind(PyObject *name, int *kind) {
    static const char *const names[] = {"lookup", "whole", "money"};
    for (int i = LOOKUP; i <= MONEY; i++) {
        if (PyUnicode_CompareWithASCIIString(name, names[i]) == 0) {
            *kind = i;
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "unknown kind of field: %R", name);
    return -1;
}

/* reader(plan): plan is a tuple of (key, memo, kind, may_be_unknown, minimum, maximum, has_default,
   default) per field, in the charter's field order; kind is "lookup", "whole" or "money". */
static PyObject *make_reader(PyObject *Py_UNUSED(module), PyObject *plan) {
    if (!PyTuple_Check(plan)) {
        PyErr_SetString(PyExc_TypeError, "the plan must be a tuple");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(plan);
    Reader *self = PyObject_NewVar(Reader, &ReaderType, n);
    if (self == NULL)
        return NULL;
    self->vectorcall = reader_call;
    for (Py_ssize_t i = 0; i < n; i++)
        self->fields[i] = (Field){0};
    for (Py_ssize_t i = 0; i < n; i++) {
        Field *f = &self->fields[i];
        PyObject *key, *memo, *kind, *minimum, *maximum, *fallback;
        int may_be_unknown, has_default;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(plan, i), "UO!UpOOpO", &key, &PyDict_Type, &memo, &kind,
                              &may_be_unknown, &minimum, &maximum, &has_default, &fallback)
                || read_kind(kind, &f->kind) < 0
                || read_bound(minimum, &f->has_minimum, &f->minimum) < 0
                || read_bound(maximum, &f->has_maximum, &f->maximum) < 0) {
            Py_DECREF(self);
            return NULL;
        }
        f->key = Py_NewRef(key);
        f->memo = Py_NewRef(memo);
        f->fallback = has_default ? Py_NewRef(fallback) : NULL;
        f->may_be_unknown = may_be_unknown;
    }
    return (PyObject *)self;
}

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "repartition._speedups.Reader",
    .tp_basicsize = sizeof(Reader) - sizeof(Field),
    .tp_itemsize = sizeof(Field),
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_vectorcall_offset = offsetof(Reader, vectorcall),
    .tp_call = reader_tp_call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Reads the common shapes of a household's values; None when Python must read them.",
};

/* A Recorder holds where each item goes in an instance of one class with __slots__ (a Decision);
   `recorder` gives it out as a builtin function bound to it, which the interpreter calls on its
   fastest path (a callable object of another type would take the generic one). */
typedef struct {
    PyObject_VAR_HEAD
    PyTypeObject *cls;
    Py_ssize_t offsets[1];  /* where each item goes in an instance */
} Recorder;

/* record(*items) bound to a Recorder: an instance with each item in its slot, as the class's
   __init__ would store them, without running Python code. */
static PyObject *record(PyObject *holder, PyObject *const *args, Py_ssize_t nargs) {
    Recorder *self = (Recorder *)holder;
    if (nargs != Py_SIZE(self)) {
        PyErr_Format(PyExc_TypeError, "%s takes %zd positional arguments", self->cls->tp_name, Py_SIZE(self));
        return NULL;
    }
    /* Zeroed, and tracked by the collector when the class is: slots not set here stay unset. */
    PyObject *made = self->cls->tp_alloc(self->cls, 0);
    if (made == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++)
        *(PyObject **)((char *)made + self->offsets[i]) = Py_NewRef(args[i]);
    return made;
}

static PyMethodDef record_def = {
    "record", (PyCFunction)(void (*)(void))record, METH_FASTCALL,
    "An instance of the recorder's class holding the items, one slot each.",
};

static void recorder_dealloc(Recorder *self) {
    Py_XDECREF(self->cls);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject RecorderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "repartition._speedups.Recorder",
    .tp_basicsize = sizeof(Recorder) - sizeof(Py_ssize_t),
    .tp_itemsize = sizeof(Py_ssize_t),
    .tp_dealloc = (destructor)recorder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Where each item goes in an instance of a class with __slots__.",
};

/* recorder(cls, names): a function storing its i-th item in cls's slot names[i]. Each name must be
   a writable object slot that cls itself declares (a member descriptor of cls). */
static PyObject *make_recorder(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyType_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "recorder(cls, names) needs a class and a tuple of slot names");
        return NULL;
    }
    PyTypeObject *cls = (PyTypeObject *)args[0];
    PyObject *names = args[1];
    Py_ssize_t n = PyTuple_GET_SIZE(names);
    if (cls->tp_dictoffset != 0 || cls->tp_itemsize != 0 || cls->tp_alloc == NULL) {
        PyErr_Format(PyExc_TypeError, "%s must be a fixed-size class with __slots__ and no __dict__",
                     cls->tp_name);
        return NULL;
    }
    Recorder *self = PyObject_NewVar(Recorder, &RecorderType, n);
    if (self == NULL)
        return NULL;
    self->cls = (PyTypeObject *)Py_NewRef(cls);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *descr = PyUnicode_Check(name) ? PyDict_GetItemWithError(cls->tp_dict, name) : NULL;
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)
                || PyDescr_TYPE(descr) != cls) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%R is not a slot of %s", name, cls->tp_name);
            Py_DECREF(self);
            return NULL;
        }
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || (member->flags & READONLY)) {
            PyErr_Format(PyExc_TypeError, "%R is not a writable object slot of %s", name, cls->tp_name);
            Py_DECREF(self);
            return NULL;
        }
        self->offsets[i] = member->offset;
    }
    PyObject *function = PyCFunction_New(&record_def, (PyObject *)self);
    Py_DECREF(self);  /* the function holds it */
    return function;
}

/* ---- Batch files: plain text of quoted lines, formula neutralisation (repartition.batch) ---- */

/* The characters of a str, its first n read (`at` gives 0 past them). */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

static Text text_of(PyObject *str) {
    return (Text){PyUnicode_KIND(str), PyUnicode_DATA(str), PyUnicode_GET_LENGTH(str)};
}

static Py_UCS4 at(const Text *text, Py_ssize_t i) {
    return i < text->n ? PyUnicode_READ(text->kind, text->data, i) : 0;
}

static int is_digit(Py_UCS4 c) { return c >= '0' && c <= '9'; }
static int is_group_space(Py_UCS4 c) { return c == ' ' || c == 0xA0 || c == 0x202F; }
static int is_sign(Py_UCS4 c) { return c == '+' || c == '-'; }

/* Past the digits from i; -1 if there is none. */
static Py_ssize_t digits(const Text *cell, Py_ssize_t i) {
    Py_ssize_t start = i;
    while (is_digit(at(cell, i)))
        i++;
    return i == start ? -1 : i;
}

/* What writers.neutralise calls a number: writers._NUMBER.fullmatch(cell[i:]). */
static int is_number(const Text *cell, Py_ssize_t i) {
    Py_ssize_t first = i + is_sign(at(cell, i));
    if ((i = digits(cell, first)) < 0)
        return 0;
    /* Thousands groups (`1 234 567`) after at most three digits; taking all of them is the only
       way the rest can match, since what follows a number never starts with a space and a digit. */
    if (i - first <= 3)
        while (is_group_space(at(cell, i)) && is_digit(at(cell, i + 1)) && is_digit(at(cell, i + 2))
               && is_digit(at(cell, i + 3)))
            i += 4;
    if ((at(cell, i) == '.' || at(cell, i) == ',') && (i = digits(cell, i + 1)) < 0)
        return 0;
    if ((at(cell, i) == 'e' || at(cell, i) == 'E') && (i = digits(cell, i + 1 + is_sign(at(cell, i + 1)))) < 0)
        return 0;
    if (is_group_space(at(cell, i)) && (at(cell, i + 1) == 0x20AC || at(cell, i + 1) == '%'))
        i += 2;
    else if (at(cell, i) == 0x20AC || at(cell, i) == '%')
        i++;
    return i == cell->n;
}

static int is_formula_start(Py_UCS4 c) {
    return c == '=' || c == '+' || c == '-' || c == '@'
        || c == 0xFF1D || c == 0xFF0B || c == 0xFF0D || c == 0xFF20;  /* their full-width forms */
}

/* Whether a spreadsheet could take the cell for a formula: writers.neutralise says it in Python. */
static int is_dangerous(PyObject *str) {
    Text cell = text_of(str);
    if (cell.n == 0)
        return 0;
    if (at(&cell, 0) < 0x20)
        return 1;
    Py_ssize_t i = 0;
    while (i < cell.n && Py_UNICODE_ISSPACE(at(&cell, i)))
        i++;
    if (i == cell.n || !is_formula_start(at(&cell, i)))
        return 0;
    return !(is_sign(at(&cell, i)) && is_number(&cell, i));
}

static PyObject *quote_mark;  /* "'", made on first use */

/* neutralise_cells(row): put `'` before every cell of the list a spreadsheet could take for a
   formula, in place; True if some cell changed. Most cells start with a letter or a digit and
   cost one comparison. */
static PyObject *neutralise_cells(PyObject *Py_UNUSED(module), PyObject *row) {
    if (!PyList_CheckExact(row)) {
        PyErr_SetString(PyExc_TypeError, "neutralise_cells(row) needs a list of str");
        return NULL;
    }
    if (quote_mark == NULL && (quote_mark = PyUnicode_InternFromString("'")) == NULL)
        return NULL;
    int changed = 0;
    for (Py_ssize_t index = 0; index < PyList_GET_SIZE(row); index++) {
        PyObject *cell = PyList_GET_ITEM(row, index);
        if (!PyUnicode_Check(cell)) {
            PyErr_SetString(PyExc_TypeError, "neutralise_cells(row) needs a list of str");
            return NULL;
        }
        if (!is_dangerous(cell))
            continue;
        PyObject *safe = PyUnicode_Concat(quote_mark, cell);
        if (safe == NULL)
            return NULL;
        PyList_SetItem(row, index, safe);  /* steals `safe`, releases the old cell */
        changed = 1;
    }
    return PyBool_FromLong(changed);
}

/* unquote_line(text, separator): the plain text of a CSV line (its line end dropped) whose quotes
   all open or close a cell holding neither quote nor separator (`"a";b;"c"` gives `a;b;c`): what
   the csv module reads there, and what csv.writer writes back. None for any other line with
   quotes, which the csv module then reads (readers.CsvSource.rows). */
static PyObject *unquote_line(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1]) || PyUnicode_GET_LENGTH(args[1]) != 1) {
        PyErr_SetString(PyExc_TypeError, "unquote_line(text, separator) needs a str and a one-character str");
        return NULL;
    }
    Text line = text_of(args[0]);
    Py_UCS4 separator = PyUnicode_READ_CHAR(args[1], 0);
    while (line.n > 0 && (at(&line, line.n - 1) == '\n' || at(&line, line.n - 1) == '\r'))
        line.n--;
    Py_ssize_t quotes = 0;
    for (Py_ssize_t i = 0; i < line.n; i++) {  /* i: the start of a cell */
        if (at(&line, i) == '"') {
            Py_ssize_t j = i + 1;
            for (; j < line.n && at(&line, j) != '"'; j++)
                if (at(&line, j) == separator)
                    Py_RETURN_NONE;  /* written back, the cell would need its quotes */
            if (j == line.n || (j + 1 < line.n && at(&line, j + 1) != separator))
                Py_RETURN_NONE;  /* left open on this line, or text after the closing quote */
            quotes += 2;
            i = j + 1;
        } else {
            for (; i < line.n && at(&line, i) != separator; i++)
                if (at(&line, i) == '"')
                    Py_RETURN_NONE;  /* a quote inside a cell */
        }
    }
    /* Only quotes go: the widest character stays, so the new str has the same kind. */
    PyObject *plain = PyUnicode_New(line.n - quotes, PyUnicode_MAX_CHAR_VALUE(args[0]));
    if (plain == NULL)
        return NULL;
    for (Py_ssize_t i = 0, k = 0; i < line.n; i++)
        if (at(&line, i) != '"')
            PyUnicode_WRITE(PyUnicode_KIND(plain), PyUnicode_DATA(plain), k++, at(&line, i));
    return plain;
}

static PyMethodDef methods[] = {
    {"reader", make_reader, METH_O, "The Reader of a charter's fields, from its plan."},
    {"neutralise_cells", neutralise_cells, METH_O, "Neutralise a row's formula-like cells in place."},
    {"unquote_line", (PyCFunction)(void (*)(void))unquote_line, METH_FASTCALL,
     "The plain text of a CSV line whose quotes all open or close a cell, else None."},
    {"recorder", (PyCFunction)(void (*)(void))make_recorder, METH_FASTCALL,
     "A function making instances of a class with __slots__: recorder(cls, names)(*items)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "repartition._speedups",
    "Optional accelerator of repartition.runtime and repartition.batch: reading household values, making Decisions, reading and writing CSV lines.", -1, methods,
    NULL, NULL, NULL, NULL,
};

/* Raised whenever the plan or the functions change: runtime.py leaves a stale build aside. */
#define FORMAT 3

PyMODINIT_FUNC PyInit__speedups(void) {
    if (PyType_Ready(&ReaderType) < 0 || PyType_Ready(&RecorderType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "FORMAT", FORMAT) < 0)
        Py_CLEAR(m);
    return m;
}
