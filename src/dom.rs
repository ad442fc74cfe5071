//! A small DOM renderer for [`crate::view`]'s tree, behind `mount()`: no framework in the
//! npm package. It patches in place — same position and tag: attributes and text are
//! updated, nodes (and the focus on them) stay — and replaces only what changed kind.
//!
//! Text is always set as text (`createTextNode`), never parsed as markup. Clicks are
//! handled by one listener on the root: each clickable element carries the index of its
//! command in the current render (`data-aal-cmd`). An element marked [`AUTOFOCUS`] takes
//! the focus when it appears (a dialog's first action), so keyboard users land where the
//! next step is; a render that takes the focused control away puts the focus back inside
//! the widget ([`focus::restore`]).

use crate::browser::focus;
use crate::view::{El, Node, AUTOFOCUS};
use crate::widget::Command;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen::UnwrapThrowExt;
use web_sys::{Document, Element};

const COMMAND_ATTR: &str = "data-aal-cmd";
const COMMAND_SELECTOR: &str = "[data-aal-cmd]";

/// The rendered widget inside a host element. Dropping it removes the root element and
/// its listener.
pub struct DomView {
    document: Document,
    root: Element,
    previous: El,
    commands: Rc<RefCell<Vec<Command>>>,
    on_click: Closure<dyn FnMut(web_sys::Event)>,
}

impl std::fmt::Debug for DomView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DomView")
    }
}

impl DomView {
    /// Renders `tree` as the last child of `host`; clicks on its buttons call `on_command`.
    pub fn new(host: &Element, tree: El, on_command: impl Fn(Command) + 'static) -> DomView {
        let document = crate::browser::window()
            .document()
            .expect_throw("unreachable: a window has a document");
        let commands: Rc<RefCell<Vec<Command>>> = Rc::default();
        let mut pass = Pass::new(&document);
        let root: Element = pass
            .create(&Node::El(tree.clone()))
            .dyn_into()
            .expect_throw("unreachable: an El renders as an Element");
        let table = commands.clone();
        let on_click = Closure::wrap(Box::new(move |event: web_sys::Event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            let Ok(Some(clicked)) = target.closest(COMMAND_SELECTOR) else {
                return;
            };
            let index = clicked
                .get_attribute(COMMAND_ATTR)
                .and_then(|i| i.parse::<usize>().ok());
            // Cloned out first: the command may re-render (and refill the table) at once.
            let command = index.and_then(|i| table.borrow().get(i).cloned());
            if let Some(command) = command {
                on_command(command);
            }
        }) as Box<dyn FnMut(web_sys::Event)>);
        if root
            .add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())
            .is_err()
        {
            crate::browser::warn("could not listen for clicks on the widget");
        }
        if host.append_child(&root).is_err() {
            crate::browser::warn("could not insert the widget into its host element");
        }
        let _nothing_to_focus_yet = pass.finish(&commands);
        DomView {
            document,
            root,
            previous: tree,
            commands,
            on_click,
        }
    }

    /// The widget's root element (`<section class="aal">`).
    pub fn root(&self) -> &Element {
        &self.root
    }

    /// Brings the DOM to `tree`, changing only what differs from the previous render.
    /// The root keeps its element: [`crate::view::render`] always returns a `<section>`.
    pub fn render(&mut self, tree: El) {
        let had_focus = focus::is_within(&self.root);
        let mut pass = Pass::new(&self.document);
        pass.patch_element(&self.root, &self.previous, &tree);
        let moved = pass.finish(&self.commands);
        if !moved {
            focus::restore(&self.root, had_focus);
        }
        self.previous = tree;
    }
}

impl Drop for DomView {
    fn drop(&mut self) {
        let _removed = self
            .root
            .remove_event_listener_with_callback("click", self.on_click.as_ref().unchecked_ref());
        self.root.remove();
    }
}

/// One render: builds the command table and notes the element to focus.
struct Pass<'a> {
    document: &'a Document,
    commands: Vec<Command>,
    focus: Option<Element>,
}

impl<'a> Pass<'a> {
    fn new(document: &'a Document) -> Self {
        Pass {
            document,
            commands: Vec::new(),
            focus: None,
        }
    }

    /// Installs the command table and focuses a newly shown [`AUTOFOCUS`] element;
    /// whether it did.
    fn finish(self, table: &RefCell<Vec<Command>>) -> bool {
        *table.borrow_mut() = self.commands;
        let Some(element) = self.focus else {
            return false;
        };
        focus::give(&element);
        true
    }

    fn command_index(&mut self, el: &El) -> Option<String> {
        let command = el.on_click.clone()?;
        self.commands.push(command);
        Some((self.commands.len() - 1).to_string())
    }

    fn create(&mut self, node: &Node) -> web_sys::Node {
        let el = match node {
            Node::Text(text) => return self.document.create_text_node(text).into(),
            Node::El(el) => el,
        };
        let element = self
            .document
            .create_element(el.tag)
            .expect_throw("unreachable: the view uses valid tag names");
        for (name, value) in &el.attrs {
            set_attribute(&element, name, value);
        }
        if let Some(index) = self.command_index(el) {
            set_attribute(&element, COMMAND_ATTR, &index);
        }
        if has_attr(el, AUTOFOCUS) {
            self.focus = Some(element.clone());
        }
        for child in &el.children {
            let child = self.create(child);
            append(&element, &child);
        }
        element.into()
    }

    fn patch_element(&mut self, element: &Element, old: &El, new: &El) {
        for (name, value) in &new.attrs {
            let unchanged = old.attrs.iter().any(|(n, v)| n == name && v == value);
            if !unchanged {
                set_attribute(element, name, value);
            }
        }
        for (name, _) in &old.attrs {
            if !has_attr(new, name) {
                let _absent_is_fine = element.remove_attribute(name);
            }
        }
        match self.command_index(new) {
            Some(index) => set_attribute(element, COMMAND_ATTR, &index),
            None => {
                let _absent_is_fine = element.remove_attribute(COMMAND_ATTR);
            }
        }
        if has_attr(new, AUTOFOCUS) && !has_attr(old, AUTOFOCUS) {
            self.focus = Some(element.clone());
        }
        self.patch_children(element, &old.children, &new.children);
    }

    fn patch_node(&mut self, parent: &Element, dom: &web_sys::Node, old: &Node, new: &Node) {
        match (old, new, dom.dyn_ref::<Element>()) {
            (Node::Text(before), Node::Text(after), _) => {
                if before != after {
                    dom.set_text_content(Some(after));
                }
            }
            (Node::El(before), Node::El(after), Some(element)) if before.tag == after.tag => {
                self.patch_element(element, before, after)
            }
            _ => {
                let fresh = self.create(new);
                replace(parent, &fresh, dom);
            }
        }
    }

    /// Matches the unchanged head and tail first (a notice or dialog that appears or goes
    /// leaves its siblings, and the focus on them, alone), then patches the middle by
    /// position.
    fn patch_children(&mut self, parent: &Element, old: &[Node], new: &[Node]) {
        let list = parent.child_nodes();
        let dom: Vec<web_sys::Node> = (0..list.length()).filter_map(|i| list.item(i)).collect();
        if dom.len() != old.len() {
            // Someone else changed our subtree: draw it again from scratch.
            parent.set_text_content(None);
            for node in new {
                let fresh = self.create(node);
                append(parent, &fresh);
            }
            return;
        }
        let mut head = 0;
        while head < old.len() && head < new.len() && same_kind(&old[head], &new[head]) {
            head += 1;
        }
        let mut tail = 0;
        while tail < old.len() - head
            && tail < new.len() - head
            && same_kind(&old[old.len() - 1 - tail], &new[new.len() - 1 - tail])
        {
            tail += 1;
        }
        for i in 0..head {
            self.patch_node(parent, &dom[i], &old[i], &new[i]);
        }
        let (old_mid, new_mid) = (head..old.len() - tail, head..new.len() - tail);
        let anchor = dom.get(old.len() - tail);
        for offset in 0..old_mid.len().max(new_mid.len()) {
            let (o, n) = (old_mid.start + offset, new_mid.start + offset);
            match (o < old_mid.end, n < new_mid.end) {
                (true, true) => self.patch_node(parent, &dom[o], &old[o], &new[n]),
                (false, true) => {
                    let fresh = self.create(&new[n]);
                    if parent.insert_before(&fresh, anchor).is_err() {
                        crate::browser::warn("could not insert a node");
                    }
                }
                (true, false) => {
                    let _removed = parent.remove_child(&dom[o]);
                }
                (false, false) => {}
            }
        }
        for k in 0..tail {
            let (o, n) = (old.len() - tail + k, new.len() - tail + k);
            self.patch_node(parent, &dom[o], &old[o], &new[n]);
        }
    }
}

/// Whether `new` can be drawn by patching the DOM node drawn for `old`: both text, or
/// elements with the same tag and class.
fn same_kind(old: &Node, new: &Node) -> bool {
    match (old, new) {
        (Node::Text(_), Node::Text(_)) => true,
        (Node::El(a), Node::El(b)) => a.tag == b.tag && class_of(a) == class_of(b),
        _ => false,
    }
}

fn has_attr(el: &El, name: &str) -> bool {
    el.attrs.iter().any(|(n, _)| *n == name)
}

fn class_of(el: &El) -> Option<&str> {
    el.attrs
        .iter()
        .find(|(name, _)| *name == "class")
        .map(|(_, value)| value.as_str())
}

fn set_attribute(element: &Element, name: &str, value: &str) {
    if element.set_attribute(name, value).is_err() {
        crate::browser::warn(&format!("could not set the attribute {name}"));
    }
}

fn append(parent: &Element, node: &web_sys::Node) {
    if parent.append_child(node).is_err() {
        crate::browser::warn("could not append a node");
    }
}

fn replace(parent: &Element, fresh: &web_sys::Node, old: &web_sys::Node) {
    if parent.replace_child(fresh, old).is_err() {
        crate::browser::warn("could not replace a node");
    }
}
